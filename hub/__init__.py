"""The hub's Django project.

The Celery app (hub/celery.py) is loaded by HubConfig.ready, not here: `python -m hub.healthcheck`, which runs every
30 s in the container, imports this package and must stay on the standard library. Every Django process (web,
worker, management commands) still loads the app before any task is sent, so shared_task binds to it; `celery -A
hub` finds hub.celery by itself.
"""
