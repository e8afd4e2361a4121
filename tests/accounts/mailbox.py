"""Reading what the file backend wrote (one .log file per connection, messages as RFC 5322 text)."""

import email
import email.policy
import re
from pathlib import Path

from django.conf import settings


def mailbox_folder() -> Path:
    return Path(settings.VAR_DIR) / "mail"


def messages_in_mailbox() -> list[email.message.EmailMessage]:
    folder = mailbox_folder()
    if not folder.exists():
        return []
    found = []
    for path in sorted(folder.glob("*.log")):
        # The file backend separates messages with a line of 79 dashes.
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                found.append(email.message_from_string(chunk.strip(), policy=email.policy.default))
    return found


def link_in(body: str) -> str:
    return re.search(r"https?://\S+", body).group(0)
