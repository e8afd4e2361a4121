import os

from django.core.wsgi import get_wsgi_application
from django.urls import reverse

from hub.celery import sender_warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.base")
application = get_wsgi_application()

# While gunicorn boots the worker rather than in its first requests (about 0.4 s): import the URLconf with every
# view and build its reverse index (the first reverse() does), and import what the first upload's send_task does.
reverse("api-me")
sender_warm_up()
