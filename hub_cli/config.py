"""Where the client keeps the hub's address and your token: a JSON file only you can read.

The file lives in the user's config directory (`$XDG_CONFIG_HOME/hub/config.json`, by default
`~/.config/hub/config.json`); HUB_URL and HUB_TOKEN in the environment override what it holds.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import click


def config_path() -> Path:
    # click follows XDG_CONFIG_HOME on Linux and the platform's own place elsewhere.
    return Path(click.get_app_dir("hub")) / "config.json"


@dataclass(frozen=True)
class Settings:
    url: str | None
    token: str | None
    username: str | None
    url_source: str  # "HUB_URL", "--url", the config path, or "none"
    token_source: str


def load_stored() -> dict:
    path = config_path()
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise click.ClickException(
            f"Could not read {path} ({error}). Remove it and run `hub login URL` again."
        ) from None
    return data if isinstance(data, dict) else {}


def resolve(url_option: str | None = None) -> Settings:
    stored = load_stored()
    path = str(config_path())
    if url_option:
        url, url_source = url_option, "--url"
    elif os.environ.get("HUB_URL"):
        url, url_source = os.environ["HUB_URL"], "HUB_URL"
    else:
        url, url_source = stored.get("url"), path if stored.get("url") else "none"
    if os.environ.get("HUB_TOKEN"):
        token, token_source = os.environ["HUB_TOKEN"], "HUB_TOKEN"
    elif stored.get("token") and (url is None or _same_hub(url, stored.get("url"))):
        token, token_source = stored["token"], path
    else:
        token, token_source = None, "none"
    username = stored.get("username") if token_source == path else None
    return Settings(
        url=normalize_url(url) if url else None,
        token=token,
        username=username,
        url_source=url_source,
        token_source=token_source,
    )


def _same_hub(url: str, stored_url: str | None) -> bool:
    """A stored token is only sent to the hub it came from, never to another address given by HUB_URL."""
    return stored_url is not None and normalize_url(url) == normalize_url(stored_url)


def normalize_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if "://" not in url:
        raise click.UsageError(
            f"'{url}' is not a full address: give the hub's URL, e.g. http://localhost:8000"
        )
    return url


def save(*, url: str, token: str, username: str) -> Path:
    """Write atomically, created with mode 0600 so the token is never readable by others, even for a moment."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump({"url": url, "token": token, "username": username}, handle, indent=2)
    os.chmod(temporary, 0o600)  # in case the umask or an old file changed it
    os.replace(temporary, path)
    return path


def forget() -> Path | None:
    path = config_path()
    if path.exists():
        path.unlink()
        return path
    return None
