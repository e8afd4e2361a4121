"""gunicorn settings shared by `make run` (manage.py runhub) and the Docker image (`-c python:hub.gunicorn_conf`).

https://docs.gunicorn.org/en/stable/settings.html
"""

import os

from hub.logs import logging_config

wsgi_app = "hub.wsgi"
# https://docs.gunicorn.org/en/stable/settings.html#bind
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# https://docs.gunicorn.org/en/stable/settings.html#workers
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# https://docs.gunicorn.org/en/stable/settings.html#threads
# Threads keep a worker answering while another request streams a large upload or download.
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# https://docs.gunicorn.org/en/stable/settings.html#graceful-timeout
graceful_timeout = 10
# https://docs.gunicorn.org/en/stable/settings.html#accesslog
accesslog = "-"
# https://docs.gunicorn.org/en/stable/settings.html#logger-class
# The access log's client address is the one the rate limits count (HUB_TRUSTED_PROXIES).
logger_class = "hub.gunicorn_logging.ClientAddressLogger"

# https://docs.gunicorn.org/en/stable/settings.html#logconfig-dict
# gunicorn's own lines (start, access, worker timeouts) in the same format as the hub's.
_hub_logging = logging_config(
    log_format=os.environ.get("LOG_FORMAT", "plain"), level=os.environ.get("LOG_LEVEL", "INFO")
)
logconfig_dict = {
    **_hub_logging,
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# https://docs.gunicorn.org/en/stable/settings.html#control-socket-disable (gunicorn 25.1+; older ones ignore it)
# The hub does not use gunicornc, and every gunicorn of one user would otherwise share one socket path.
control_socket_disable = True


# https://docs.gunicorn.org/en/stable/settings.html#on-starting
def on_starting(server: object) -> None:
    """`make run` only (HUB_SERVE_AFTER_FD, set by hub/management/commands/runhub.py): import the hub in the main
    process while runhub migrates and collects the static files, then wait for its word before listening.

    A first start spends most of its time importing: done here, beside the migration rather than after it, and
    once, since the workers are forked from this process with every module already imported (each then only builds
    the WSGI handler, which must wait: WhiteNoise lists the collected static files when it is built). runhub writes
    a byte on the pipe when the database is ready; an end of file means runhub is gone, and so is this server.
    """
    fd = os.environ.pop("HUB_SERVE_AFTER_FD", None)
    if fd is None:
        return
    import django

    django.setup()
    import hub.urls  # noqa: F401 (every view and what they import)

    with os.fdopen(int(fd), "rb") as go:
        if not go.read(1):
            raise SystemExit("runhub ended before the database was ready")
