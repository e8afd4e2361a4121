"""The insight, standing and comparison of submissions through the REST API and the pages, scored for real."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from sklearn import metrics as sk

from projects.services import baseline_user
from submissions.models import Submission
from submissions.services.scoring import submission_score
from submissions.services.submit import submission_create
from tests.bundles import LABELS, predictions_csv, truth
from tests.conftest import upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ROWS = 60


def scored(client, slug: str, content: bytes) -> dict:
    response = client.post(
        f"/api/v1/challenges/{slug}/submissions/", {"file": upload(content)}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    submission_id = response.json()["id"]
    submission_score(submission_id=submission_id, delivery_id=f"delivery-{submission_id}")
    body = client.get(f"/api/v1/submissions/{submission_id}/").json()
    assert body["status"] == "scored", body
    return body


def edited(changes: dict[str, str], *, correct: int = ROWS) -> bytes:
    """predictions_csv with some rows' labels replaced."""
    lines = predictions_csv(ROWS, correct=correct).decode().splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        row_id, label = line.split(",")
        out.append(f"{row_id},{changes.get(row_id, label)}")
    return ("\n".join(out) + "\n").encode()


@pytest.fixture
def pages(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def tiny(make_challenge):
    return make_challenge(rows=ROWS)


def test_the_insight_is_scikit_learns_report_of_the_public_rows(auth_client, tiny):
    content = predictions_csv(ROWS, correct=35)
    body = scored(auth_client, tiny.slug, content)
    insight = body["insight"]
    rows = truth(ROWS)
    predicted = dict(line.split(",") for line in content.decode().splitlines()[1:])
    true_public = [label for row_id, label, usage in rows if usage == "Public"]
    predicted_public = [predicted[row_id] for row_id, _, usage in rows if usage == "Public"]
    labels = sorted(set(true_public) | set(predicted_public))
    assert insight["kind"] == "classification"
    assert insight["rows"] == len(true_public) == 30
    assert insight["labels"] == labels
    assert (
        insight["confusion_matrix"]
        == sk.confusion_matrix(true_public, predicted_public, labels=labels).tolist()
    )
    report = sk.classification_report(true_public, predicted_public, output_dict=True, zero_division=0)
    for row in insight["per_label"]:
        assert row["precision"] == pytest.approx(report[row["label"]]["precision"])
        assert row["recall"] == pytest.approx(report[row["label"]]["recall"])
        assert row["f1"] == pytest.approx(report[row["label"]]["f1-score"])
        assert row["support"] == report[row["label"]]["support"]


def test_changing_only_private_rows_leaves_the_stored_insight_unchanged(auth_client, tiny):
    private_ids = [row_id for row_id, _, usage in truth(ROWS) if usage == "Private"]
    first = scored(auth_client, tiny.slug, edited({}, correct=30))
    second = scored(auth_client, tiny.slug, edited({row_id: "c" for row_id in private_ids}, correct=30))
    assert (
        Submission.objects.get(pk=first["id"]).private_score
        != Submission.objects.get(pk=second["id"]).private_score
    )
    assert first["public_score"] == second["public_score"]
    assert first["insight"] == second["insight"]


def test_a_host_turns_insight_off_in_the_bundle(auth_client, make_challenge):
    challenge = make_challenge(slug="quiet", rows=ROWS, insight=False)
    assert challenge.insight_enabled is False
    body = scored(auth_client, challenge.slug, predictions_csv(ROWS, correct=40))
    assert body["insight"] is None
    assert Submission.objects.get(pk=body["id"]).insight is None  # not even computed


def test_turning_insight_off_later_hides_what_was_computed(pages, auth_client, tiny):
    body = scored(auth_client, tiny.slug, predictions_csv(ROWS, correct=40))
    assert body["insight"] is not None
    tiny.insight_enabled = False
    tiny.save(update_fields=["insight_enabled"])
    assert auth_client.get(f"/api/v1/submissions/{body['id']}/").json()["insight"] is None
    page = pages.get(f"/submissions/{body['id']}/")
    assert page.status_code == 200 and b'id="insight"' not in page.content


def test_a_bundle_with_a_non_boolean_insight_is_refused(make_challenge):
    from projects.bundles import BundleError

    with pytest.raises(BundleError, match="insight must be true or false"):
        make_challenge(slug="odd", insight="sometimes")


def test_the_standing_sets_the_score_beside_baseline_best_and_rank(pages, auth_client, tiny, user):
    baseline = submission_create(
        user=baseline_user(),
        challenge=tiny,
        file=ContentFile(predictions_csv(ROWS, correct=30), name="baseline.csv"),
        description="Starter kit baseline",
        is_baseline=True,
    )
    submission_score(submission_id=baseline.pk, delivery_id="baseline")
    baseline.refresh_from_db()
    rival = UserFactory()
    rival_submission = submission_create(
        user=rival, challenge=tiny, file=ContentFile(predictions_csv(ROWS, correct=50), name="r.csv")
    )
    submission_score(submission_id=rival_submission.pk, delivery_id="rival")

    first = scored(auth_client, tiny.slug, predictions_csv(ROWS, correct=20))
    standing = first["standing"]
    assert standing["baseline_score"] == pytest.approx(baseline.public_score)
    assert standing["beats_baseline"] is False
    assert standing["is_new_personal_best"] is True and standing["previous_best"] is None
    assert standing["rank"] == 2 and standing["learners"] == 2  # the baseline takes no rank, nor counts

    better = scored(auth_client, tiny.slug, predictions_csv(ROWS, correct=58))
    standing = better["standing"]
    assert standing["is_new_personal_best"] is True
    assert standing["previous_best"] == pytest.approx(first["public_score"])
    assert standing["personal_best"] == pytest.approx(better["public_score"])
    assert standing["beats_baseline"] is True and standing["rank"] == 1

    worse = scored(auth_client, tiny.slug, predictions_csv(ROWS, correct=10))
    assert worse["standing"]["is_new_personal_best"] is False
    assert worse["standing"]["personal_best"] == pytest.approx(better["public_score"])
    # The first submission, read again now: its rank is the learner's rank now.
    assert auth_client.get(f"/api/v1/submissions/{first['id']}/").json()["standing"]["rank"] == 1

    page = pages.get(f"/submissions/{better['id']}/")
    assert b"New personal best" in page.content and b"Your rank now" in page.content
    assert auth_client.get(f"/api/v1/submissions/{baseline.pk}/").status_code == 404  # not the learner's


def test_compare_counts_the_public_rows_that_changed_label(pages, auth_client, tiny):
    rows = truth(ROWS)
    public_ids = [row_id for row_id, _, usage in rows if usage == "Public"]
    private_ids = [row_id for row_id, _, usage in rows if usage == "Private"]
    true_label = {row_id: label for row_id, label, _ in rows}
    first = scored(auth_client, tiny.slug, edited({}))  # every row right
    # Four Public rows become wrong (moved to the next label), and Private rows change too, which must not count.
    changed = public_ids[:4]
    moves = {row_id: LABELS[(LABELS.index(true_label[row_id]) + 1) % 3] for row_id in changed}
    second = scored(auth_client, tiny.slug, edited(moves | {row_id: "a" for row_id in private_ids}))

    response = auth_client.get(f"/api/v1/submissions/{first['id']}/compare/{second['id']}/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["rows"]["changed"] == 4
    assert body["rows"]["rows"] == len(public_ids)
    assert body["rows"]["became_wrong"] == 4 and body["rows"]["became_right"] == 0
    expected_flows: dict[tuple[str, str], int] = {}
    for row_id in changed:
        key = (true_label[row_id], moves[row_id])
        expected_flows[key] = expected_flows.get(key, 0) + 1
    assert {(f["from_label"], f["to_label"]): f["rows"] for f in body["rows"]["flows"]} == expected_flows
    assert body["score_difference"] == pytest.approx(second["public_score"] - first["public_score"])
    assert body["score_difference"] == pytest.approx(-4 / len(public_ids))
    assert body["other_is_better"] is False

    back = auth_client.get(f"/api/v1/submissions/{second['id']}/compare/{first['id']}/").json()
    assert back["rows"]["became_right"] == 4 and back["other_is_better"] is True

    page = pages.get(f"/submissions/{first['id']}/compare/?with={second['id']}")
    assert page.status_code == 200
    assert b'id="changed-rows"' in page.content and b"became wrong" in page.content


def test_compare_is_for_your_own_scored_submissions_to_one_challenge(
    pages, auth_client, tiny, make_challenge, other_user
):
    mine = scored(auth_client, tiny.slug, predictions_csv(ROWS, correct=30))
    theirs = submission_create(
        user=other_user, challenge=tiny, file=ContentFile(predictions_csv(ROWS, correct=30), name="t.csv")
    )
    submission_score(submission_id=theirs.pk, delivery_id="theirs")
    assert auth_client.get(f"/api/v1/submissions/{mine['id']}/compare/{theirs.pk}/").status_code == 404
    assert auth_client.get(f"/api/v1/submissions/{theirs.pk}/compare/{mine['id']}/").status_code == 404
    assert auth_client.get(f"/api/v1/submissions/{mine['id']}/compare/{2**70}/").status_code == 404

    queued = auth_client.post(
        f"/api/v1/challenges/{tiny.slug}/submissions/",
        {"file": upload(predictions_csv(ROWS, correct=1))},
        format="multipart",
    ).json()
    response = auth_client.get(f"/api/v1/submissions/{mine['id']}/compare/{queued['id']}/")
    assert response.status_code == 409 and "not scored" in response.json()["error"]
    assert auth_client.get(f"/api/v1/submissions/{mine['id']}/compare/{mine['id']}/").status_code == 409

    elsewhere = make_challenge(slug="elsewhere", rows=ROWS)
    other = scored(auth_client, elsewhere.slug, predictions_csv(ROWS, correct=30))
    response = auth_client.get(f"/api/v1/submissions/{mine['id']}/compare/{other['id']}/")
    assert response.status_code == 409 and "different challenges" in response.json()["error"]

    page = pages.get(f"/submissions/{mine['id']}/compare/?with=abc")
    assert page.status_code == 400


def test_the_submission_page_shows_the_heat_map_and_the_table(pages, auth_client, tiny):
    body = scored(auth_client, tiny.slug, predictions_csv(ROWS, correct=40))
    page = pages.get(f"/submissions/{body['id']}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="confusion-matrix"' in html and "<svg" in html and 'id="per-label"' in html
    assert 'id="compare-link"' in html


def regression_challenge(tmp_path, **manifest):
    from projects.services import challenge_import_bundle
    from tests.bundles import write_bundle

    folder = write_bundle(
        tmp_path / "bundle", slug="prices", rows=ROWS, metric="rmse", allowed_labels=[], **manifest
    )
    (folder / "solution.csv").write_text(
        "id,label,Usage\n"
        + "".join(f"{i},{i * 10},{'Public' if i % 2 else 'Private'}\n" for i in range(1, ROWS + 1))
    )
    (folder / "data" / "sample_submission.csv").write_text(
        "id,label\n" + "".join(f"{i},0\n" for i in range(1, ROWS + 1))
    )
    return challenge_import_bundle(folder).challenge


def test_a_regression_submission_shows_its_residuals_and_deciles(auth_client, pages, tmp_path):
    challenge = regression_challenge(tmp_path)
    # Over-predicts the small values and under-predicts the large ones, as a model pulled to the mean does.
    content = "id,label\n" + "".join(f"{i},{i * 10 + (300 - i * 10) * 0.2}\n" for i in range(1, ROWS + 1))
    body = scored(auth_client, challenge.slug, content.encode())
    insight = body["insight"]
    assert insight["kind"] == "regression" and insight["rows"] == ROWS // 2
    assert (
        sum(insight["residuals"]["counts"]) + insight["residuals"]["below"] + insight["residuals"]["above"]
        == 30
    )
    deciles = insight["by_true_decile"]
    assert deciles[0]["mean_error"] > 0 > deciles[-1]["mean_error"]
    html = pages.get(f"/submissions/{body['id']}/").content.decode()
    assert 'id="residuals"' in html and 'id="by-decile"' in html and 'class="bar"' in html
