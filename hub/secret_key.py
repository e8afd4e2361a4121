"""The embedded hub's signing key: made at random on the first start and kept under HUB_VAR_DIR.

Read by the settings before Django is set up, so it imports nothing of Django. Production never comes here: it
asks the environment for SECRET_KEY and refuses to start without one (hub/settings/production.py).
"""

import os
import secrets
from pathlib import Path

KEY_FILE_NAME = "secret-key.txt"


def embedded_secret_key(var_dir: Path) -> str:
    """The key kept in `var_dir`, made on the first call; every process of one hub (web, worker, beat) reads the
    same file, so what one signs the others accept.

    The new key is written to a private temporary file and linked into place: link() fails if another process
    got there first, so two processes starting at once never end up with two keys or a half-written one.
    """
    key_file = var_dir / KEY_FILE_NAME
    if not key_file.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        draft = var_dir / f".{KEY_FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text().strip()
