"""The Celery app. Configuration is read from Django settings (the CELERY_ names)."""

import logging
import os

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES

# Connects the signals that put the submission id on every log line of a scoring task.
from hub import logs  # noqa: F401
from workers.leases import LeaseRenewal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.base")
# filesystem:// URLs get kombu's transport with messages renamed into place whole (hub/filesystem_broker.py). An alias
# of the URL's scheme rather than the broker_transport setting, which would also apply to a redis:// URL set later.
TRANSPORT_ALIASES["filesystem"] = "hub.filesystem_broker:Transport"

app = Celery("hub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["workers", "accounts"])
# Each worker renews the leases of the submissions it holds, so the sweeper can tell a dead worker's quickly.
app.steps["worker"].add(LeaseRenewal)

logger = logging.getLogger(__name__)


def broker_queue_length(queue: str | None = None) -> int | None:
    """Messages waiting in the queue (not those a worker holds), or None if the broker does not answer.

    A passive declare works on every kombu transport the hub uses (Redis, RabbitMQ, the filesystem); Redis drops
    an empty queue's key, which a passive declare reports as "not found", so that means 0.
    """
    name = queue or app.conf.task_default_queue
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=3)
            channel = connection.channel()
            try:
                return channel.queue_declare(queue=name, passive=True).message_count
            except connection.channel_errors:
                return 0
    except Exception:
        logger.warning("Could not ask the broker how many messages wait in %s", name, exc_info=True)
        return None


def sender_warm_up() -> None:
    """Import what the first send_task would import (the broker's transport, the message helpers, the producer
    pool), so that a web process does it at boot rather than in its first upload. No connection is opened."""
    app.amqp  # noqa: B018 (cached properties: reading them imports and builds them)
    app.producer_pool  # noqa: B018
    with app.connection_for_write() as connection:
        connection.transport  # noqa: B018
