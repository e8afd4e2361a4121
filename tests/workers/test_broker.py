"""The embedded broker (kombu's filesystem transport, hub/broker.py) never hands a worker a half-written message."""

import threading

import pytest
from kombu import Connection
from kombu.transport import filesystem, resolve_transport

import hub.celery  # noqa: F401  (registers the transport for filesystem:// URLs)
from hub.broker import Transport

MESSAGES = 300


def test_filesystem_urls_use_the_hub_transport():
    assert resolve_transport("filesystem") is Transport


@pytest.mark.parametrize("transport", [Transport], ids=["hub"])
def test_a_worker_polling_while_messages_are_written_reads_every_one_whole(tmp_path, transport):
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path), "polling_interval": 0}
    with (
        Connection("filesystem://", transport=transport, transport_options=options) as writer,
        Connection("filesystem://", transport=transport, transport_options=options) as reader,
    ):
        sender, receiver = writer.default_channel, reader.default_channel
        received, errors = [], []

        def read() -> None:
            while len(received) < MESSAGES and not errors:
                try:
                    received.append(receiver._get("jobs")["body"])
                except filesystem.Empty:
                    continue
                except ValueError as error:  # an empty or partial file
                    errors.append(error)

        thread = threading.Thread(target=read)
        thread.start()
        for number in range(MESSAGES):
            sender._put("jobs", {"body": number})
        thread.join(30)

    assert errors == []
    # Messages written in the same millisecond come in any order, as in kombu's own transport.
    assert sorted(received) == list(range(MESSAGES))
