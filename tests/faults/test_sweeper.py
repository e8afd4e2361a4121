"""The sweeper and the claim, one rule at a time, on the test database and the test broker (no worker)."""

import datetime as dt

import pytest
from django.utils import timezone

from community.models import Notification, NotificationKind
from hub.celery import app as celery_app
from hub.celery import broker_queue_length
from submissions.models import Submission
from submissions.services.recovery import submissions_sweep_stuck
from submissions.services.scoring import (
    _finish,
    enqueue_scoring,
    submission_claim,
    submission_leases_renew,
    submission_score,
)
from submissions.services.submit import submission_create
from tests.bundles import predictions_csv
from tests.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def empty_queue():
    """The test broker's queue, emptied before and after: the sweeper's decisions depend on what waits in it."""
    celery_app.control.purge()
    yield
    celery_app.control.purge()


@pytest.fixture
def make_submission(challenge, user):
    def make(*, age_seconds: float = 0, **fields) -> Submission:
        submission = submission_create(
            user=user, challenge=challenge, file=upload(predictions_csv(20, correct=10))
        )  # the enqueue waits for a commit that never comes in this test's transaction
        created = timezone.now() - dt.timedelta(seconds=age_seconds)
        Submission.objects.filter(pk=submission.pk).update(created_at=created, **fields)
        submission.refresh_from_db()
        return submission

    return make


def _ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


def test_a_submission_queued_too_long_while_the_queue_is_empty_is_sent_again(make_submission, empty_queue):
    stuck = make_submission(age_seconds=600)
    make_submission(age_seconds=1)  # recent: its message may well be on its way

    assert submissions_sweep_stuck(queued_after_seconds=120) == {"failed": 0, "recovered": 0, "enqueued": 1}
    assert broker_queue_length() == 1
    stuck.refresh_from_db()
    assert stuck.status == Submission.Status.QUEUED


def test_queued_submissions_behind_waiting_messages_are_a_backlog_and_are_not_sent_twice(
    make_submission, empty_queue
):
    make_submission(age_seconds=600)
    enqueue_scoring(make_submission(age_seconds=590).pk)

    assert submissions_sweep_stuck(queued_after_seconds=120)["enqueued"] == 0
    assert broker_queue_length() == 1


def test_a_submission_running_past_the_hard_limit_goes_back_to_the_queue_and_is_sent(
    make_submission, empty_queue, settings
):
    stale = settings.CELERY_TASK_TIME_LIMIT + settings.HUB_SWEEP_RUNNING_GRACE_SECONDS + 5
    lost = make_submission(status="running", task_id="dead-worker", attempts=1, started_at=_ago(stale))
    busy = make_submission(status="running", task_id="live-worker", attempts=1, started_at=_ago(5))

    assert submissions_sweep_stuck() == {"failed": 0, "recovered": 1, "enqueued": 0}

    lost.refresh_from_db()
    busy.refresh_from_db()
    assert (lost.status, lost.task_id) == (Submission.Status.QUEUED, "")
    assert (busy.status, busy.task_id) == (Submission.Status.RUNNING, "live-worker")
    assert broker_queue_length() == 1


def test_a_submission_interrupted_as_often_as_allowed_fails_with_a_message(
    make_submission, empty_queue, settings, caplog, django_capture_on_commit_callbacks
):
    stale = settings.CELERY_TASK_TIME_LIMIT + settings.HUB_SWEEP_RUNNING_GRACE_SECONDS + 5
    doomed = make_submission(
        status="running", task_id="t", attempts=settings.HUB_MAX_SCORING_ATTEMPTS, started_at=_ago(stale)
    )

    with (
        caplog.at_level("INFO", logger="submissions.scoring"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert submissions_sweep_stuck()["failed"] == 1

    doomed.refresh_from_db()
    assert doomed.status == Submission.Status.FAILED
    assert f"interrupted {settings.HUB_MAX_SCORING_ATTEMPTS} times" in doomed.error
    assert doomed.finished_at is not None
    assert broker_queue_length() == 0
    # Stored as every other outcome is: the audited log line, and the learner is told.
    assert f"Submission {doomed.pk} stored as failed by delivery t" in caplog.text
    notice = Notification.objects.get(user=doomed.user)
    assert (notice.kind, notice.url) == (NotificationKind.FAILED, f"/submissions/{doomed.pk}/")
    assert f"interrupted {settings.HUB_MAX_SCORING_ATTEMPTS} times" in notice.text


def test_a_redelivery_past_the_attempt_cap_fails_the_submission_instead_of_scoring_it(
    make_submission, settings
):
    submission = make_submission(
        status="running", task_id="same-message", attempts=settings.HUB_MAX_SCORING_ATTEMPTS
    )

    assert submission_claim(submission_id=submission.pk, delivery_id="same-message") is None

    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED
    assert "gave up on this file" in submission.error


def test_another_delivery_cannot_take_a_running_submission(make_submission):
    submission = make_submission(status="running", task_id="first", attempts=1, started_at=_ago(1))

    submission_score(submission_id=submission.pk, delivery_id="duplicate")

    submission.refresh_from_db()
    assert (submission.status, submission.task_id, submission.attempts) == ("running", "first", 1)


def test_a_late_finish_by_a_delivery_that_lost_its_claim_stores_nothing(make_submission):
    submission = make_submission()
    claimed = submission_claim(submission_id=submission.pk, delivery_id="first")
    # The sweeper judged the first delivery dead and a second one scored the submission meanwhile.
    Submission.objects.filter(pk=submission.pk).update(status="queued", task_id="")
    submission_score(submission_id=submission.pk, delivery_id="second")
    scored = Submission.objects.get(pk=submission.pk)

    assert _finish(claimed, "first", status=Submission.Status.FAILED, error="late") is False
    submission.refresh_from_db()
    assert (submission.status, submission.task_id, submission.error) == ("scored", "second", "")
    assert submission.finished_at == scored.finished_at


def test_a_running_submission_whose_lease_ran_out_is_taken_back_at_once(make_submission, empty_queue):
    lost = make_submission(
        status="running", task_id="dead-worker", attempts=1, started_at=_ago(12), lease_expires_at=_ago(1)
    )
    alive = make_submission(
        status="running", task_id="live-worker", attempts=1, started_at=_ago(12), lease_expires_at=_ago(-9)
    )

    assert submissions_sweep_stuck() == {"failed": 0, "recovered": 1, "enqueued": 0}

    lost.refresh_from_db()
    alive.refresh_from_db()
    assert (lost.status, lost.task_id, lost.lease_expires_at) == (Submission.Status.QUEUED, "", None)
    assert (alive.status, alive.task_id) == (Submission.Status.RUNNING, "live-worker")
    assert broker_queue_length() == 1


def test_a_running_submission_with_a_live_lease_is_left_alone_however_long_it_runs(
    make_submission, empty_queue, settings
):
    stale = settings.CELERY_TASK_TIME_LIMIT + settings.HUB_SWEEP_RUNNING_GRACE_SECONDS + 5
    waiting_for_a_retry = make_submission(
        status="running", task_id="retrying", attempts=1, started_at=_ago(stale), lease_expires_at=_ago(-5)
    )

    assert submissions_sweep_stuck() == {"failed": 0, "recovered": 0, "enqueued": 0}
    waiting_for_a_retry.refresh_from_db()
    assert waiting_for_a_retry.status == Submission.Status.RUNNING


def test_a_claim_takes_a_lease_and_only_the_deliveries_a_worker_holds_renew_theirs(make_submission, settings):
    held = make_submission()
    other = make_submission()
    submission_claim(submission_id=held.pk, delivery_id="held")
    submission_claim(submission_id=other.pk, delivery_id="elsewhere")
    Submission.objects.update(lease_expires_at=_ago(1))

    assert submission_leases_renew(delivery_ids=["held", "not-a-submission"]) == 1

    held.refresh_from_db()
    other.refresh_from_db()
    lease = dt.timedelta(seconds=settings.HUB_SCORING_LEASE_SECONDS)
    assert timezone.now() < held.lease_expires_at <= timezone.now() + lease
    assert other.lease_expires_at < timezone.now()


def test_a_finished_submission_keeps_no_lease_to_renew(make_submission):
    submission = make_submission()
    submission_score(submission_id=submission.pk, delivery_id="done")

    assert submission_leases_renew(delivery_ids=["done"]) == 0
