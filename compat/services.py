"""Writes of the compatibility layer: Kaggle's three-step upload, over the hub's one submission service.

StartSubmissionUpload checks what it can before any byte is sent (open, limits, size) and hands out a signed
ticket, bound to the learner and the challenge and valid for an hour; the raw bytes are PUT to a URL holding that
ticket (the PUT carries no credentials, as on Kaggle), and the PUT checks the rules and the challenge's size
limit again, whatever the ticket says, before it stores a byte; CreateSubmission turns the stored bytes into a
submission with submission_create, which checks the rules once more under the participant's lock, for the
ticket's own learner only. Refusals are SubmissionRefused, as from the hub's own services.
"""

import tempfile
import uuid
from dataclasses import dataclass
from typing import BinaryIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage

from hub.storage import delete_older_than
from projects.models import Challenge
from projects.selectors import challenges_visible
from submissions.errors import Reason, SubmissionRefused
from submissions.models import Submission
from submissions.services.submit import submission_check_allowed, submission_create

UPLOAD_SALT = "compat.kaggle.upload"
UPLOAD_MAX_AGE = 60 * 60
UPLOAD_FOLDER = "compat/kaggle-uploads"
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class UploadTicket:
    user_id: int
    challenge_id: int
    file_name: str
    size: int
    nonce: str

    @property
    def path(self) -> str:
        return f"{UPLOAD_FOLDER}/{self.nonce}"


def kaggle_upload_start(*, user: AbstractBaseUser, challenge: Challenge, file_name: str, size: int) -> str:
    """The signed ticket for one upload, once the learner may submit a file of this size now."""
    submission_check_allowed(challenge=challenge, user=user, size=size)
    delete_older_than(UPLOAD_FOLDER, UPLOAD_MAX_AGE)  # bytes PUT whose ticket expired
    return signing.dumps(
        {"u": user.pk, "c": challenge.pk, "f": file_name, "s": size, "n": uuid.uuid4().hex}, salt=UPLOAD_SALT
    )


def kaggle_upload_ticket(token: str) -> UploadTicket:
    """The ticket a token holds, once its signature (this hub's key, the upload salt) and its age are checked."""
    try:
        data = signing.loads(token, salt=UPLOAD_SALT, max_age=UPLOAD_MAX_AGE)
    except signing.SignatureExpired:
        raise SubmissionRefused(
            Reason.UPLOAD_EXPIRED,
            "This upload was started over an hour ago and has expired. Submit again.",
        ) from None
    except signing.BadSignature:
        raise SubmissionRefused(
            Reason.UPLOAD_BAD_TOKEN,
            "This upload token was not given out by this hub. Submit again.",
        ) from None
    return UploadTicket(data["u"], data["c"], data["f"], data["s"], data["n"])


def kaggle_upload_store(
    *, ticket: UploadTicket, body: BinaryIO, caller: AbstractBaseUser | None = None
) -> None:
    """Keep the PUT's bytes until CreateSubmission; exactly the announced size, read in chunks, never whole.

    The ticket's learner must still be active and allowed to submit a file of its size to its challenge now,
    under the challenge's limit as it is now: a ticket is never a licence to store more than the challenge takes.
    A PUT that does come with credentials (the CLI sends none) must come from the ticket's learner.
    """
    owner = get_user_model().objects.filter(pk=ticket.user_id, is_active=True).first()
    # The ticket's learner must still see the challenge (a host may have made it private since).
    challenge = challenges_visible(viewer=owner).filter(pk=ticket.challenge_id).first() if owner else None
    if owner is None or challenge is None or (caller is not None and caller.pk != ticket.user_id):
        raise SubmissionRefused(
            Reason.UPLOAD_BAD_TOKEN,
            "This upload was started by another user, or for a challenge that is gone. Submit again.",
        )
    submission_check_allowed(challenge=challenge, user=owner, size=ticket.size)
    with tempfile.TemporaryFile() as spool:
        received = 0
        while chunk := body.read(CHUNK):
            received += len(chunk)
            if received > ticket.size:
                raise SubmissionRefused(
                    Reason.UPLOAD_LARGER_THAN_ANNOUNCED,
                    f"The upload is larger than the {ticket.size} bytes announced. Submit again.",
                )
            spool.write(chunk)
        if received != ticket.size:
            raise SubmissionRefused(
                Reason.UPLOAD_INCOMPLETE,
                f"The upload stopped after {received} of {ticket.size} bytes. Submit again.",
            )
        spool.seek(0)
        # A retried PUT replaces the first one; storage would otherwise save it under another name.
        default_storage.delete(ticket.path)
        default_storage.save(ticket.path, File(spool))


def kaggle_upload_submit(
    *, user: AbstractBaseUser, challenge: Challenge, token: str, description: str
) -> Submission:
    """Create the submission from an uploaded ticket's bytes; the stored upload is removed whatever happens."""
    ticket = kaggle_upload_ticket(token)
    if ticket.user_id != user.pk or ticket.challenge_id != challenge.pk:
        raise SubmissionRefused(
            Reason.UPLOAD_BAD_TOKEN,
            f"This upload was started by another user or for another challenge than {challenge.slug}. "
            "Submit again.",
        )
    if not default_storage.exists(ticket.path):
        raise SubmissionRefused(
            Reason.UPLOAD_MISSING,
            "No file was uploaded with this token, or it was already submitted. Submit again.",
        )
    try:
        with default_storage.open(ticket.path, "rb") as stored:
            return submission_create(
                user=user,
                challenge=challenge,
                file=File(stored, name=ticket.file_name),
                description=description,
            )
    finally:
        default_storage.delete(ticket.path)
