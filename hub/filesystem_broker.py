"""kombu's filesystem transport, with messages that appear whole.

kombu's `Channel._put` creates the message file under its final name and then writes it, while a worker's `_get`
moves away and reads any file with that name, without the lock: a worker that polls often can take a message
between the two and read an empty or half-written body, which it cannot decode, and the upload's message is lost.
Here the body is written under a name `_get` skips and renamed into place; a rename within one folder is atomic, so
a reader sees the whole message or none.

kombu creates none of its folders either; this channel makes them on the first connection, in every process that
sends or receives (web, worker, beat), so that reading the settings writes nothing.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from time import monotonic

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for folder in {self.data_folder_in, self.data_folder_out, self.control_folder}:
            Path(folder).mkdir(parents=True, exist_ok=True)

    def _put(self, queue, payload, **kwargs) -> None:
        # The same name kombu gives a message, so its `_get` orders and picks messages as before.
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        # A leading dot: `_get` matches on what follows the first dot, which for this name is never "<queue>.msg".
        handle, temporary = tempfile.mkstemp(prefix=".incoming-", dir=self.data_folder_out)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(str_to_bytes(dumps(payload)))
            os.replace(temporary, os.path.join(self.data_folder_out, name))
        except OSError as exc:
            # The row is stored already; the sweeper sends its message again later.
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise filesystem.ChannelError(f"Cannot add file {name!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
