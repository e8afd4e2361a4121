"""The embedded broker: a worker that polls while an upload's message is being written reads it whole.

With kombu's own filesystem transport this test fails: the loop decodes half-written files (JSONDecodeError), and
most messages are lost.
"""

import tempfile
import threading

from kombu import Connection
from kombu.transport import resolve_transport
from kombu.transport.virtual import Empty

import hub.celery  # noqa: F401  (registers the hub's transport for filesystem:// URLs)
from hub import filesystem_broker

TRANSPORT = "filesystem"


def test_filesystem_urls_get_the_hub_transport_and_redis_urls_their_own():
    assert resolve_transport("filesystem") is filesystem_broker.Transport
    assert resolve_transport("redis").__module__ == "kombu.transport.redis"


def test_a_consumer_polling_without_pause_reads_every_message_whole():
    folder = tempfile.mkdtemp()
    options = {"data_folder_in": folder, "data_folder_out": folder, "control_folder": folder}
    count = 100
    payload = {"body": "x" * 1_000_000}
    received: list[dict] = []
    errors: list[str] = []
    sent = threading.Event()

    def consume() -> None:
        with Connection("filesystem://", transport=TRANSPORT, transport_options=options) as connection:
            channel = connection.default_channel
            while len(received) + len(errors) < count:
                try:
                    received.append(channel._get("scoring"))
                except Empty:
                    if sent.is_set() and not channel._size("scoring"):
                        return
                except Exception as exc:  # a half-written body fails to decode
                    errors.append(type(exc).__name__)

    consumer = threading.Thread(target=consume)
    consumer.start()
    with Connection("filesystem://", transport=TRANSPORT, transport_options=options) as connection:
        channel = connection.default_channel
        for number in range(count):
            channel._put("scoring", {**payload, "number": number})
    sent.set()
    consumer.join(60)

    assert errors == []
    assert sorted(message["number"] for message in received) == list(range(count))
    assert all(message["body"] == payload["body"] for message in received)
