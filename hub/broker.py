"""kombu's filesystem transport (the embedded broker), with each message whole before a worker can see it.

kombu writes a message file in place: open, lock, write. A worker that lists the folder in between moves the file
away and reads it empty, and the JSONDecodeError stops the worker and loses the message
(https://github.com/celery/kombu/issues/1551). Here a message is written under a name no worker takes, then renamed
into place, which is atomic within a folder.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # kombu's own name, so messages keep their order; a worker takes only names ending in ".<queue>.msg".
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        path = os.path.join(self.data_folder_out, name)
        try:
            with open(f"{path}.part", "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(f"{path}.part", path)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {path!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
