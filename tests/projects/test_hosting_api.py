"""Hosts create, edit and publish their own challenges through the REST API; learners join private ones."""

import io
import zipfile

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from learning.models import Track
from projects.bundles import zip_folder
from projects.hosting import host_grant
from projects.models import Admission, AllowedEmail, Challenge, Dataset, Solution
from projects.selectors import user_is_host
from tests.bundles import write_bundle
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def host():
    user = UserFactory()
    host_grant(user=user)
    return user


def client_of(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def bundle_zip(tmp_path):
    def build(slug: str = "class-quiz", **manifest) -> SimpleUploadedFile:
        folder = write_bundle(tmp_path / slug, slug=slug, **manifest)
        archive = zip_folder(folder, tmp_path / f"{slug}.zip")
        return SimpleUploadedFile(f"{slug}.zip", archive.read_bytes(), content_type="application/zip")

    return build


def create(user, upload) -> "Response":  # noqa: F821
    return client_of(user).post("/api/v1/challenges/", {"bundle": upload}, format="multipart")


def test_grant_host_command_grants_and_revokes_the_role_through_the_hosts_group():
    user = UserFactory()
    assert not user_is_host(user)
    call_command("grant_host", user.username)
    user = type(user).objects.get(pk=user.pk)
    assert user_is_host(user) and user.groups.filter(name="Hosts").exists()
    assert not user.is_superuser and not user.is_staff
    call_command("grant_host", user.username, "--revoke")
    assert not user_is_host(type(user).objects.get(pk=user.pk))
    with pytest.raises(CommandError, match="There is no user 'nobody-here'"):
        call_command("grant_host", "nobody-here")


def test_a_host_creates_a_private_draft_from_a_bundle_zip(host, bundle_zip):
    response = create(host, bundle_zip(visibility="private"))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "class-quiz"
    assert body["is_published"] is False
    assert body["visibility"] == "private"
    assert body["hosts"] == [host.username]
    assert len(body["invite_code"]) >= 16
    assert body["join_url"].endswith(f"/challenges/class-quiz/join/{body['invite_code']}/")
    challenge = Challenge.objects.get(slug="class-quiz")
    assert Solution.objects.filter(challenge=challenge).exists()
    # A draft: its host sees it, nobody else does, and no list shows it to anyone else.
    assert client_of(host).get("/api/v1/challenges/class-quiz/").status_code == 200
    assert client_of(UserFactory()).get("/api/v1/challenges/class-quiz/").status_code == 404
    assert client_of(None).get("/api/v1/challenges/class-quiz/").status_code == 404
    assert "class-quiz" not in str(client_of(UserFactory()).get("/api/v1/challenges/").json())


def test_only_hosts_may_create_and_a_learner_gets_403_saying_how_to_become_one(bundle_zip):
    response = create(UserFactory(), bundle_zip())
    assert response.status_code == 403
    assert "grant_host" in response.json()["error"]
    assert create(None, bundle_zip()).status_code == 401
    assert not Challenge.objects.exists()


@pytest.mark.parametrize(
    ("break_it", "says"),
    [
        (
            lambda folder: (folder / "solution.csv").write_text("id,label,Usage\n1,a,Public\n1,b,Private\n"),
            "repeats 1 id",
        ),
        (lambda folder: (folder / "solution.csv").unlink(), "solution.csv, which is not in the bundle"),
        (lambda folder: (folder / "challenge.yaml").write_text("slug: [unclosed"), "not valid YAML"),
    ],
)
def test_a_bad_bundle_is_a_400_naming_what_to_fix_and_nothing_is_written(host, tmp_path, break_it, says):
    folder = write_bundle(tmp_path / "bad", slug="bad-one")
    break_it(folder)
    archive = zip_folder(folder, tmp_path / "bad.zip")
    upload = SimpleUploadedFile("bad.zip", archive.read_bytes(), content_type="application/zip")
    response = create(host, upload)
    assert response.status_code == 400, response.json()
    assert says in response.json()["error"]
    assert response.json()["code"] == "bad_bundle"
    assert not Challenge.objects.exists() and not Dataset.objects.exists()


def test_a_file_that_is_not_a_zip_is_a_400(host):
    response = create(host, SimpleUploadedFile("bundle.zip", b"not a zip at all"))
    assert response.status_code == 400
    assert "must be a .zip" in response.json()["error"]


def test_a_zip_that_unpacks_past_the_limit_is_refused_before_it_is_unpacked(host, settings):
    settings.HUB_MAX_BUNDLE_BYTES = 1000
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("challenge.yaml", "slug: x\n")
        archive.writestr("big.csv", "0" * 100_000)
    response = create(host, SimpleUploadedFile("bomb.zip", payload.getvalue()))
    assert response.status_code == 400
    assert "unpacks to" in response.json()["error"]


def test_a_host_cannot_take_over_a_slug_or_a_dataset_in_use(host, bundle_zip, make_challenge):
    make_challenge(slug="taken")
    response = create(host, bundle_zip(slug="taken"))
    assert response.status_code == 400
    assert "The slug 'taken' is taken" in response.json()["error"]
    response = create(host, bundle_zip(slug="fresh", dataset={"slug": "taken-data", "title": "Mine now"}))
    assert response.status_code == 400
    assert "dataset slug 'taken-data' is taken" in response.json()["error"]
    assert Dataset.objects.get(slug="taken-data").title == "Tiny taken data"


def test_hosts_patch_and_publish_their_own_challenge_and_nobody_else_may(host, bundle_zip):
    create(host, bundle_zip(visibility="private"))
    other_host = UserFactory()
    host_grant(user=other_host)
    learner = UserFactory()
    patch = {
        "title": "Week 3 quiz",
        "daily_limit": 3,
        "allowed_emails": ["@school.example", "Ada@Example.org"],
    }
    url = "/api/v1/challenges/class-quiz/"
    # Another host, and a learner, cannot see a draft they do not host: 404, not 403.
    for outsider in (other_host, learner):
        assert client_of(outsider).patch(url, patch, format="json").status_code == 404
        assert client_of(outsider).post(url + "publish/").status_code == 404
    response = client_of(host).patch(url, patch, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Week 3 quiz" and response.json()["daily_limit"] == 3
    assert sorted(response.json()["allowed_emails"]) == ["@school.example", "ada@example.org"]
    assert client_of(host).post(url + "publish/").json()["is_published"] is True
    # Published but private: a learner not admitted still gets 404 everywhere.
    assert client_of(learner).get(url).status_code == 404
    assert client_of(learner).patch(url, patch, format="json").status_code == 404


def test_a_learner_who_can_see_a_challenge_gets_403_on_its_host_urls(host, bundle_zip):
    create(host, bundle_zip())
    client_of(host).post("/api/v1/challenges/class-quiz/publish/")
    learner = client_of(UserFactory())
    assert learner.get("/api/v1/challenges/class-quiz/").status_code == 200
    assert "invite_code" not in learner.get("/api/v1/challenges/class-quiz/").json()
    assert (
        learner.patch("/api/v1/challenges/class-quiz/", {"title": "Mine"}, format="json").status_code == 403
    )
    assert learner.post("/api/v1/challenges/class-quiz/publish/").status_code == 403
    assert learner.post("/api/v1/challenges/class-quiz/invite-code/").status_code == 403
    response = learner.post("/api/v1/challenges/class-quiz/hosts/", {"username": "x"}, format="json")
    assert response.status_code == 403
    assert Challenge.objects.get(slug="class-quiz").title != "Mine"


@pytest.mark.parametrize(
    ("patch", "says"),
    [
        ({"end_at": "2000-01-01T00:00:00Z"}, "end_at: The end must be after the start."),
        ({"daily_limit": 0}, "daily_limit: Allow at least 1"),
        ({"visibility": "secret"}, "visibility"),
        ({"allowed_emails": ["not an address"]}, "neither an e-mail address"),
        ({"slug": "renamed"}, None),  # not editable: ignored, the slug stays
    ],
)
def test_bad_edits_are_400s_that_say_what_to_change(host, bundle_zip, patch, says):
    create(host, bundle_zip())
    response = client_of(host).patch("/api/v1/challenges/class-quiz/", patch, format="json")
    if says is None:
        assert response.status_code == 200 and response.json()["slug"] == "class-quiz"
        return
    assert response.status_code == 400, response.json()
    assert says in response.json()["error"]


def test_a_co_host_added_by_a_host_manages_the_challenge(host, bundle_zip):
    create(host, bundle_zip())
    assistant = UserFactory()
    response = client_of(host).post("/api/v1/challenges/class-quiz/hosts/", {"username": assistant.username})
    assert response.status_code == 200
    assert sorted(response.json()["hosts"]) == sorted([host.username, assistant.username])
    assert (
        client_of(assistant)
        .patch("/api/v1/challenges/class-quiz/", {"summary": "TA"}, format="json")
        .status_code
        == 200
    )
    response = client_of(host).post("/api/v1/challenges/class-quiz/hosts/", {"username": "ghost"})
    assert response.status_code == 400 and "no active user 'ghost'" in response.json()["error"]


def test_learners_join_a_private_challenge_with_the_code_and_a_rotated_code_stops_the_old_link(
    host, bundle_zip
):
    code = create(host, bundle_zip(visibility="private")).json()["invite_code"]
    client_of(host).post("/api/v1/challenges/class-quiz/publish/")
    ada, bob = UserFactory(), UserFactory()
    # A wrong code answers like a challenge that does not exist.
    wrong = client_of(ada).post(
        "/api/v1/challenges/class-quiz/join/", {"invite_code": "guess"}, format="json"
    )
    nothing = client_of(ada).post("/api/v1/challenges/no-such/join/", {"invite_code": "guess"}, format="json")
    assert wrong.status_code == nothing.status_code == 404
    response = client_of(ada).post(
        "/api/v1/challenges/class-quiz/join/", {"invite_code": code}, format="json"
    )
    assert response.status_code == 200 and response.json()["via"] == "invite"
    first_joined = response.json()["joined_at"]
    assert client_of(ada).get("/api/v1/challenges/class-quiz/").status_code == 200
    assert "class-quiz" in str(client_of(ada).get("/api/v1/challenges/").json())
    again = client_of(ada).post("/api/v1/challenges/class-quiz/join/", {"invite_code": code}, format="json")
    assert again.json()["joined_at"] == first_joined
    new_code = client_of(host).post("/api/v1/challenges/class-quiz/invite-code/").json()["invite_code"]
    assert new_code != code
    old = client_of(bob).post("/api/v1/challenges/class-quiz/join/", {"invite_code": code}, format="json")
    assert old.status_code == 404
    assert client_of(ada).get("/api/v1/challenges/class-quiz/").status_code == 200  # admitted stay admitted
    assert Admission.objects.filter(challenge__slug="class-quiz").count() == 1


def test_an_allowed_domain_admits_learners_with_a_verified_address_there(host, bundle_zip):
    create(host, bundle_zip(visibility="private"))
    client_of(host).post("/api/v1/challenges/class-quiz/publish/")
    client_of(host).patch(
        "/api/v1/challenges/class-quiz/", {"allowed_emails": ["@school.example"]}, format="json"
    )
    student = UserFactory(email="kim@school.example")
    stranger = UserFactory(email="kim@school.example.evil.org")
    no_address = UserFactory(email="")
    assert client_of(student).get("/api/v1/challenges/class-quiz/").status_code == 200
    assert client_of(stranger).get("/api/v1/challenges/class-quiz/").status_code == 404
    assert client_of(no_address).get("/api/v1/challenges/class-quiz/").status_code == 404
    joined = client_of(student).post("/api/v1/challenges/class-quiz/join/", {}, format="json")
    assert joined.status_code == 200 and joined.json()["via"] == "email"
    assert AllowedEmail.objects.get().address == "@school.example"


def test_unlisted_challenges_open_by_link_but_stay_out_of_every_list(make_challenge):
    make_challenge(slug="by-link", visibility="unlisted")
    make_challenge(slug="listed")
    anyone = client_of(UserFactory())
    assert anyone.get("/api/v1/challenges/by-link/").status_code == 200
    assert client_of(None).get("/challenges/by-link/").status_code == 200
    for client in (anyone, client_of(None)):
        slugs = [row["slug"] for row in client.get("/api/v1/challenges/").json()["results"]]
        assert slugs == ["listed"]
        assert b"by-link" not in client.get("/challenges/").content
        assert b"by-link" not in client.get("/").content
        assert b"by-link" not in client.get("/datasets/").content


def test_a_bundle_may_say_visibility_private_and_a_wrong_value_is_named(tmp_path, make_challenge):
    assert make_challenge(slug="closed", visibility="private").visibility == "private"
    folder = write_bundle(tmp_path / "odd", slug="odd")
    manifest = yaml.safe_load((folder / "challenge.yaml").read_text())
    manifest["visibility"] = "secret"
    (folder / "challenge.yaml").write_text(yaml.safe_dump(manifest))
    from projects.bundles import BundleError
    from projects.services import challenge_import_bundle

    with pytest.raises(BundleError, match="visibility 'secret' is not one of public, unlisted, private"):
        challenge_import_bundle(folder)


def test_a_hosts_bundle_cannot_let_learners_upload_more_than_the_hub_allows_hosts(host, bundle_zip, settings):
    settings.HUB_HOST_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    response = create(host, bundle_zip(max_upload_mb=5000))
    assert response.status_code == 400
    assert (
        "max_upload_mb is 5000; a host's challenge takes files of at most 20 MB" in response.json()["error"]
    )
    assert create(host, bundle_zip(max_upload_mb=20)).status_code == 201


@pytest.mark.parametrize(
    "manifest, says",
    [
        (
            {"tracks": [{"slug": "ml-basics", "title": "Mine now", "position": 1}]},
            "challenge.yaml has `tracks`",
        ),
        ({"featured_order": 1}, "challenge.yaml has `featured_order: 1`"),
    ],
)
def test_a_hosts_bundle_cannot_set_what_is_the_whole_hubs(host, bundle_zip, make_challenge, manifest, says):
    """Learning tracks and the home page's order are the admin's: a host's bundle naming them is refused and
    changes nothing, while the admin's import keeps them."""
    make_challenge(slug="admins", tracks=[{"slug": "ml-basics", "title": "ML basics", "position": 1}])
    response = create(host, bundle_zip(**manifest))
    assert response.status_code == 400, response.json()
    assert says in response.json()["error"]
    assert not Challenge.objects.filter(slug="class-quiz").exists()
    assert Track.objects.get(slug="ml-basics").title == "ML basics"
    assert make_challenge(slug="admins-too", featured_order=1).featured_order == 1


def test_a_slug_taken_after_the_check_is_refused_not_updated(host, bundle_zip, make_challenge, monkeypatch):
    """The race of two hosts on one new slug: the other's challenge lands between this import's check and its
    write (the window held open by skipping the check). The unique slug refuses the second; nothing changes."""
    theirs = make_challenge(
        slug="class-quiz", title="Their quiz", dataset={"slug": "their-data", "title": "T"}
    )
    monkeypatch.setattr("projects.services._check_new_slugs", lambda bundle: None)
    response = create(host, bundle_zip(title="Mine now"))
    assert response.status_code == 400, response.json()
    assert "A challenge with the slug 'class-quiz' exists" in response.json()["error"]
    theirs.refresh_from_db()
    assert theirs.title == "Their quiz" and not theirs.hosts.filter(pk=host.pk).exists()


def test_a_damaged_zip_is_a_400_on_the_api_and_the_page(host, bundle_zip):
    """It passes is_zipfile (its directory is whole) but a file's bytes are not what its CRC says."""
    good = bundle_zip().read()
    start = good.index(b"PK\x03\x04") + 30 + good[good.index(b"PK\x03\x04") + 26]
    damaged = good[:start] + bytes([good[start] ^ 0xFF]) + good[start + 1 :]
    response = create(host, SimpleUploadedFile("bundle.zip", damaged, content_type="application/zip"))
    assert response.status_code == 400, response.content
    assert "is a damaged zip" in response.json()["error"]
    assert not Challenge.objects.exists()
