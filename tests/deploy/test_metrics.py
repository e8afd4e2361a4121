"""/metrics: counts and scoring times read from the database at scrape time, in the Prometheus text format."""

import datetime as dt
import uuid

from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from hub.celery import app as celery_app
from submissions.models import Submission


def scrape(client: Client, **headers: str) -> dict[str, list]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return {
        family.name: family.samples for family in text_string_to_metric_families(response.content.decode())
    }


def make_submission(challenge, user, status: str, seconds: float | None = None) -> Submission:
    started = timezone.now() - dt.timedelta(minutes=5)
    return Submission.objects.create(
        uuid=uuid.uuid4(),
        challenge=challenge,
        user=user,
        original_name="a.csv",
        size=1,
        sha256="0" * 64,
        status=status,
        started_at=started if seconds is not None else None,
        finished_at=started + dt.timedelta(seconds=seconds) if seconds is not None else None,
    )


def test_metrics_count_submissions_by_status_and_histogram_their_scoring_time(client, user, challenge):
    already = Submission.objects.filter(challenge=challenge).count()  # baselines a bundle may bring
    make_submission(challenge, user, Submission.Status.QUEUED)
    make_submission(challenge, user, Submission.Status.RUNNING)
    make_submission(challenge, user, Submission.Status.SCORED, seconds=0.2)
    make_submission(challenge, user, Submission.Status.SCORED, seconds=3)
    make_submission(challenge, user, Submission.Status.FAILED, seconds=0.05)
    expected = {
        status: Submission.objects.filter(status=status).count() for status in Submission.Status.values
    }

    families = scrape(client)

    by_status = {s.labels["status"]: s.value for s in families["hub_submissions_by_status"]}
    assert by_status == expected
    per_challenge = {
        s.labels["status"]: s.value
        for s in families["hub_submissions"]
        if s.labels["challenge"] == challenge.slug
    }
    assert sum(per_challenge.values()) == already + 5
    histogram = {(s.name, s.labels.get("le")): s.value for s in families["hub_scoring_seconds"]}
    finished_before = histogram[("hub_scoring_seconds_count", None)] - 3
    assert histogram[("hub_scoring_seconds_bucket", "0.1")] == finished_before + 1
    assert histogram[("hub_scoring_seconds_bucket", "0.25")] == finished_before + 2
    assert histogram[("hub_scoring_seconds_bucket", "5.0")] == finished_before + 3
    assert histogram[("hub_scoring_seconds_bucket", "+Inf")] == histogram[("hub_scoring_seconds_count", None)]
    assert histogram[("hub_scoring_seconds_sum", None)] >= 3.25
    assert [s.value for s in families["hub_broker_up"]] == [1]
    assert [s.value >= 0 for s in families["hub_queue_depth"]] == [True]


def test_metrics_ask_for_the_bearer_token_when_one_is_set(client, db, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert "hub_submissions_by_status" in scrape(client, Authorization="Bearer s3cret-scrape-token")


def test_the_queue_label_is_celerys_default_queue_which_production_does_not_set_in_django(
    client, db, settings
):
    # Only the test settings name the queue; production leaves Celery's default ("celery").
    del settings.CELERY_TASK_DEFAULT_QUEUE

    (sample,) = scrape(client)["hub_queue_depth"]

    assert sample.labels == {"queue": celery_app.conf.task_default_queue}


def test_only_challenges_listed_to_everyone_are_labelled_by_slug(client, user, make_challenge):
    """A draft's, a private and an unlisted challenge's slugs are not told to whoever scrapes; their submissions
    count under one label."""
    public = make_challenge(slug="metric-public")
    hidden = [
        make_challenge(slug="metric-private", visibility="private"),
        make_challenge(slug="metric-unlisted", visibility="unlisted"),
        make_challenge(slug="metric-draft"),
    ]
    hidden[2].is_published = False
    hidden[2].save(update_fields=["is_published"])
    for challenge in [public, *hidden]:
        make_submission(challenge, user, Submission.Status.QUEUED)

    samples = scrape(client)["hub_submissions"]

    labels = {s.labels["challenge"] for s in samples}
    assert "metric-public" in labels
    assert not labels & {c.slug for c in hidden}
    other = {s.labels["status"]: s.value for s in samples if s.labels["challenge"] == "(other)"}
    hidden_queued = Submission.objects.filter(challenge__in=hidden, status=Submission.Status.QUEUED).count()
    assert other["queued"] == hidden_queued >= 3


def test_production_serves_metrics_only_with_a_token(client, db, settings):
    settings.METRICS_NEED_TOKEN = True  # as hub/settings/production.py sets it
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    assert client.get("/metrics").status_code == 401
    assert "hub_submissions" in scrape(client, Authorization="Bearer s3cret-scrape-token")
