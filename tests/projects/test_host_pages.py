"""The hosts' pages and the gradebook: a host manages their own challenge and nothing else; a learner reaches no
host URL; the gradebook agrees with the leaderboard and is safe to open in a spreadsheet."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from projects.bundles import zip_folder
from projects.hosting import host_grant
from projects.models import Admission, Challenge
from submissions.models import Submission
from submissions.services.final_selection import submission_set_final
from submissions.services.scoring import submission_score
from submissions.services.submit import submission_create
from submissions.services.teams import team_create, team_join
from tests.bundles import expected_scores, predictions_csv, write_bundle
from tests.conftest import upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def host():
    user = UserFactory()
    host_grant(user=user)
    return user


@pytest.fixture
def classroom(host, make_challenge):
    """A published private challenge hosted by `host`, with two admitted learners who submitted."""
    challenge = make_challenge(slug="week-1", visibility="private")
    challenge.hosts.add(host)
    ada = UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    evil = UserFactory(username='=HYPERLINK("http://x")', email="evil@example.org")
    for learner, correct in ((ada, 18), (evil, 6)):
        Admission.objects.create(challenge=challenge, user=learner, via=Admission.Via.INVITE)
        submission = submission_create(
            user=learner, challenge=challenge, file=upload(predictions_csv(20, correct=correct))
        )
        submission_score(submission_id=submission.pk, delivery_id=f"roster-{learner.pk}")
    failed = submission_create(user=ada, challenge=challenge, file=upload(b"id,label\n1,a\n"))
    submission_score(submission_id=failed.pk, delivery_id="roster-failed")
    final = Submission.objects.filter(user=ada, status=Submission.Status.SCORED).get()
    submission_set_final(submission=final, user=ada, is_final=True)
    return challenge, ada, evil, final


def browser(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def host_urls(challenge: Challenge, submission_id: int) -> list[tuple[str, str]]:
    slug = challenge.slug
    return [
        ("get", f"/host/challenges/{slug}/"),
        ("post", f"/host/challenges/{slug}/"),
        ("get", f"/host/challenges/{slug}/roster/"),
        ("get", f"/host/challenges/{slug}/submissions/"),
        ("get", f"/host/challenges/{slug}/submissions/{submission_id}/file"),
        ("post", f"/host/challenges/{slug}/submissions/{submission_id}/disqualify/"),
        ("get", f"/api/v1/challenges/{slug}/gradebook/"),
        ("get", f"/api/v1/challenges/{slug}/gradebook.csv"),
        ("post", f"/api/v1/challenges/{slug}/publish/"),
        ("post", f"/api/v1/challenges/{slug}/invite-code/"),
        ("post", f"/api/v1/challenges/{slug}/hosts/"),
        ("patch", f"/api/v1/challenges/{slug}/"),
    ]


def test_the_roster_shows_who_joined_their_submissions_best_scores_ranks_and_final_picks(host, classroom):
    challenge, ada, evil, final = classroom
    response = browser(host).get("/host/challenges/week-1/roster/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "ada" in page and "Ada Lovelace" in page and "invite" in page
    rows = api(host).get("/api/v1/challenges/week-1/gradebook/").json()
    assert rows["count"] == 2
    first, second = rows["results"]
    public, private = expected_scores(20, correct=18)
    assert first["username"] == "ada" and first["public_rank"] == 1 and second["public_rank"] == 2
    assert first["best_public"] == pytest.approx(public)
    assert first["best_private"] == pytest.approx(private)  # hosts see it before it is revealed
    assert first["submissions"] == 1 and first["failed"] == 1
    assert first["final_submission_ids"] == [final.pk]
    assert first["joined_via"] == "invite" and first["joined_at"]


def test_the_gradebook_csv_is_for_hosts_and_safe_in_a_spreadsheet(host, classroom):
    response = api(host).get("/api/v1/challenges/week-1/gradebook.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="week-1-gradebook.csv"'
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert table[0][:5] == ["username", "name", "email", "team", "joined_at"]
    assert table[1][0] == "ada" and table[1][1] == "Ada Lovelace"
    assert table[2][0] == '\'=HYPERLINK("http://x")'  # text, never a formula


def test_a_learner_of_the_challenge_gets_403_on_every_host_url_and_an_outsider_404(host, classroom):
    challenge, ada, _, final = classroom
    outsider = UserFactory()
    other_host = UserFactory()
    host_grant(user=other_host)
    for method, url in host_urls(challenge, final.pk):
        for user, expected in ((ada, 403), (outsider, 404), (other_host, 404)):
            client = api(user) if url.startswith("/api/") else browser(user)
            response = getattr(client, method)(url)
            assert response.status_code == expected, (user.username, method, url, response.status_code)
    assert not Submission.objects.filter(is_disqualified=True).exists()
    anonymous = browser(None).get("/host/challenges/week-1/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_a_host_of_one_challenge_cannot_reach_another_hosts_public_challenge(host, make_challenge):
    theirs = make_challenge(slug="theirs")
    theirs.hosts.add(UserFactory())
    assert browser(host).get("/host/challenges/theirs/").status_code == 403
    assert api(host).patch("/api/v1/challenges/theirs/", {"title": "Mine"}, format="json").status_code == 403
    assert api(host).get("/api/v1/challenges/theirs/gradebook/").status_code == 403
    assert Challenge.objects.get(slug="theirs").title == "Tiny theirs"


def test_a_learner_who_is_no_host_cannot_open_the_hosting_page(db):
    assert browser(UserFactory()).get("/host/").status_code == 403


def test_a_host_creates_a_draft_from_a_bundle_in_the_web_and_publishes_it(host, tmp_path):
    folder = write_bundle(tmp_path / "web", slug="from-web", visibility="private")
    archive = zip_folder(folder, tmp_path / "web.zip")
    client = browser(host)
    response = client.post("/host/", {"bundle": SimpleUploadedFile("web.zip", archive.read_bytes())})
    assert response.status_code == 302 and response["Location"] == "/host/challenges/from-web/"
    page = client.get("/host/challenges/from-web/").content.decode()
    challenge = Challenge.objects.get(slug="from-web")
    assert "Draft" in page and f"/challenges/from-web/join/{challenge.invite_code}/" in page
    assert browser(UserFactory()).get("/challenges/from-web/").status_code == 404
    client.post("/host/challenges/from-web/", {"action": "publish"})
    assert Challenge.objects.get(slug="from-web").is_published


def test_a_bad_bundle_in_the_web_shows_what_to_fix_and_creates_nothing(host, tmp_path):
    folder = write_bundle(tmp_path / "bad", slug="bad-web")
    (folder / "solution.csv").write_text("id,label\n1,a\n")  # 1 of the 20 test ids
    archive = zip_folder(folder, tmp_path / "bad.zip")
    response = browser(host).post("/host/", {"bundle": SimpleUploadedFile("bad.zip", archive.read_bytes())})
    assert response.status_code == 400
    assert "The solution solution.csv is not valid" in response.content.decode()
    assert not Challenge.objects.filter(slug="bad-web").exists()


def test_the_host_edits_texts_dates_limits_and_visibility_in_the_web(host, classroom):
    client = browser(host)
    form = {
        "action": "edit",
        "title": "Week 1: iris",
        "level": "beginner",
        "summary": "Classify",
        "description": "Hello",
        "evaluation": "Accuracy",
        "start_at": "2026-01-01 09:00",
        "end_at": "2030-01-01 09:00",
        "daily_limit": "4",
        "total_limit": "",
        "visibility": "private",
        "allowed_emails": "@school.example\nkim@other.example",
    }
    response = client.post("/host/challenges/week-1/", form)
    assert response.status_code == 302
    challenge = Challenge.objects.get(slug="week-1")
    assert (challenge.title, challenge.daily_limit, challenge.end_at.year) == ("Week 1: iris", 4, 2030)
    assert sorted(challenge.allowed_emails.values_list("address", flat=True)) == [
        "@school.example",
        "kim@other.example",
    ]
    bad = client.post("/host/challenges/week-1/", form | {"end_at": "2020-01-01 09:00"})
    assert bad.status_code == 400 and "The end must be after the start." in bad.content.decode()
    bad = client.post("/host/challenges/week-1/", form | {"allowed_emails": "not-an-address"})
    assert bad.status_code == 400 and "neither an e-mail address" in bad.content.decode()


def test_the_host_sees_every_submission_with_its_error_downloads_it_and_disqualifies_it(host, classroom):
    challenge, ada, _, final = classroom
    client = browser(host)
    page = client.get("/host/challenges/week-1/submissions/?user=ada").content.decode()
    failed = Submission.objects.get(user=ada, status=Submission.Status.FAILED)
    assert failed.error and failed.error.split(".")[0] in page
    download = client.get(f"/host/challenges/week-1/submissions/{final.pk}/file")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == predictions_csv(20, correct=18)
    assert client.post(f"/host/challenges/week-1/submissions/{final.pk}/disqualify/").status_code == 302
    assert Submission.objects.get(pk=final.pk).is_disqualified
    rows = api(host).get("/api/v1/challenges/week-1/gradebook/").json()["results"]
    assert [row["username"] for row in rows if row["public_rank"] == 1] != ["ada"]


def test_the_host_reveals_the_private_board_and_rescores(host, classroom):
    client = browser(host)
    client.post("/host/challenges/week-1/", {"action": "reveal"})
    assert Challenge.objects.get(slug="week-1").private_revealed
    response = client.post("/host/challenges/week-1/", {"action": "rescore"}, follow=True)
    assert "queued for rescoring" in response.content.decode()


def test_the_invite_link_admits_a_signed_in_learner_and_sends_others_to_sign_in(host, classroom):
    challenge, *_ = classroom
    link = f"/challenges/week-1/join/{challenge.invite_code}/"
    anonymous = browser(None).get(link)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/?next=")
    kim = UserFactory()
    client = browser(kim)
    assert client.get("/challenges/week-1/").status_code == 404
    assert "Join" in client.get(link).content.decode()
    assert client.post(link).status_code == 302
    assert client.get("/challenges/week-1/").status_code == 200
    assert browser(UserFactory()).get("/challenges/week-1/join/wrong-code/").status_code == 404


def test_the_members_of_a_team_each_get_their_teams_row_in_the_gradebook(host, classroom):
    challenge, ada, evil, final = classroom
    team = team_create(challenge=challenge, user=ada, name="Analytical Engines")
    grace = UserFactory(username="grace")
    Admission.objects.create(challenge=challenge, user=grace, via=Admission.Via.INVITE)
    team_join(challenge=challenge, user=grace, invite_code=team.invite_code)
    rows = {
        row["username"]: row
        for row in api(host).get("/api/v1/challenges/week-1/gradebook/").json()["results"]
    }
    ada_row, grace_row = rows["ada"], rows["grace"]
    assert ada_row["team"] == grace_row["team"] == "Analytical Engines"
    for field in ("best_public", "best_private", "public_rank", "private_rank", "final_submission_ids"):
        assert grace_row[field] == ada_row[field], field
    assert ada_row["final_submission_ids"] == [final.pk]
    assert grace_row["submissions"] == 0 and ada_row["submissions"] == 1  # each learner's own uploads
    assert rows[evil.username]["team"] == ""


def test_the_gradebook_gives_each_learners_latest_submission_time(host, classroom):
    challenge, ada, evil, _ = classroom
    latest = {
        user.username: Submission.objects.filter(challenge=challenge, user=user)
        .latest("created_at")
        .created_at
        for user in (ada, evil)
    }
    assert Submission.objects.filter(challenge=challenge, user=ada).count() == 2  # the walk needs two
    rows = api(host).get("/api/v1/challenges/week-1/gradebook/").json()["results"]
    got = {row["username"]: row["last_submitted_at"] for row in rows}
    assert got == {name: at.isoformat().replace("+00:00", "Z") for name, at in latest.items()}


@pytest.mark.parametrize("visibility, told", [("private", True), ("public", False), ("unlisted", False)])
def test_the_gradebook_gives_learners_e_mails_only_for_a_private_challenge(host, classroom, visibility, told):
    challenge, _, evil, _ = classroom
    Challenge.objects.filter(pk=challenge.pk).update(visibility=visibility)
    rows = api(host).get("/api/v1/challenges/week-1/gradebook/").json()["results"]
    emails = {row["username"]: row["email"] for row in rows}
    assert emails[evil.username] == ("evil@example.org" if told else "")
    sheet = b"".join(api(host).get("/api/v1/challenges/week-1/gradebook.csv").streaming_content).decode()
    assert ("evil@example.org" in sheet) is told
    page = browser(host).get("/host/challenges/week-1/roster/").content.decode()
    assert ("evil@example.org" in page) is told
