"""Production settings: base, with nothing left to a default that is only safe on a laptop.

SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, CELERY_BROKER_URL and EMAIL_URL must be set in the environment, or the hub
refuses to start (ImproperlyConfigured names the missing one). The hub is served over HTTPS, usually behind a proxy that
terminates TLS and sets X-Forwarded-Proto. `manage.py check --deploy` is clean with these settings.
"""

import environ
from django.core.exceptions import ImproperlyConfigured

# https://docs.djangoproject.com/en/5.2/ref/settings/#secret-key
# Asked for before base is read: without one, base would make an embedded key under HUB_VAR_DIR for local use.
SECRET_KEY = environ.Env().str("SECRET_KEY")
if not SECRET_KEY.strip():
    raise ImproperlyConfigured("Set the SECRET_KEY environment variable: it is empty.")

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

# https://docs.djangoproject.com/en/5.2/ref/settings/#debug
DEBUG = False
# https://docs.djangoproject.com/en/5.2/ref/settings/#allowed-hosts
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# Read by base already; asked for again here only so that a missing one stops the start instead of falling back to
# the embedded SQLite file and filesystem broker.
env.str("DATABASE_URL")
env.str("CELERY_BROKER_URL")
# Without it, password-reset messages would be files inside the container that nobody reads.
env.str("EMAIL_URL")

# Links in e-mail sent by the worker: the first allowed host over HTTPS unless set.
HUB_SITE_URL = env.str("HUB_SITE_URL", default="") or f"https://{ALLOWED_HOSTS[0]}"

# /metrics counts every challenge's submissions: behind the proxy it is on the internet, so it is off (a 404)
# until METRICS_TOKEN is set.
METRICS_NEED_TOKEN = True

# https://docs.djangoproject.com/en/5.2/ref/settings/#secure-proxy-ssl-header
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# https://docs.djangoproject.com/en/5.2/ref/settings/#secure-ssl-redirect
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# /healthz and /metrics answer plain HTTP too, for load balancers and Prometheus probing the backend directly.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
# https://docs.djangoproject.com/en/5.2/ref/settings/#session-cookie-secure
SESSION_COOKIE_SECURE = True
# https://docs.djangoproject.com/en/5.2/ref/settings/#csrf-cookie-secure
CSRF_COOKIE_SECURE = True
# https://docs.djangoproject.com/en/5.2/ref/middleware/#http-strict-transport-security
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
