"""Learners and their scored submissions on the real Identify the Digits, for pages worth looking at."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from submissions.models import Submission
from submissions.services.submit import submission_create
from tests.factories import UserFactory
from tests.processes import wait_for


def predictions(challenge, accuracy: float, seed: int) -> bytes:
    """A valid submission in the primary layout that gets about `accuracy` of the digits right."""
    truth = pd.read_csv(challenge.solution.file.path, dtype=str)
    rng = random.Random(seed)
    labels = [
        label if rng.random() < accuracy else str((int(label) + rng.randint(1, 9)) % 10)
        for label in truth["label"]
    ]
    return pd.DataFrame({"filename": truth["filename"], "label": labels}).to_csv(index=False).encode()


def submit(challenge, user, accuracy: float, *, seed: int, hours_ago: float = 0) -> Submission:
    """Upload through the service; the worker scores it after the commit, dated `hours_ago`."""
    with transaction.atomic():
        submission = submission_create(
            user=user,
            challenge=challenge,
            file=SimpleUploadedFile("submission.csv", predictions(challenge, accuracy, seed)),
            description=f"about {accuracy:.0%} right",
        )
        Submission.objects.filter(pk=submission.pk).update(
            created_at=timezone.now() - dt.timedelta(hours=hours_ago)
        )
    return submission


def wait_until_scored(submissions: list[Submission], timeout: float = 90) -> None:
    ids = [s.pk for s in submissions]
    wait_for(
        lambda: (
            not Submission.objects.filter(pk__in=ids).exclude(status__in=Submission.FINAL_STATUSES).exists()
        ),
        timeout=timeout,
        message="the worker to score the submissions",
    )


NAMES = [
    "grace",
    "alan",
    "katherine",
    "edsger",
    "barbara",
    "donald",
    "frances",
    "john",
    "radia",
    "tim",
    "ken",
]


def fill_board(challenge, *, learners: int = len(NAMES)) -> list[Submission]:
    """Learners with scores spread between 0.55 and 0.99, submitted over the last few days."""
    submissions = []
    for index, name in enumerate(NAMES[:learners]):
        user = UserFactory(username=name)
        accuracy = 0.55 + 0.44 * (index * 7 % learners) / learners
        submissions.append(submit(challenge, user, accuracy, seed=index, hours_ago=72 - 6 * index))
    wait_until_scored(submissions)
    return submissions
