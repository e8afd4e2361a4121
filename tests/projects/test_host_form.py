"""A challenge from a form: a host types the texts (with a server-rendered Markdown preview) and the scoring
settings and uploads the files; the draft is built through the bundle path, so the engine checks the solution and a
bad input leaves nothing behind."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hub.storage import solutions_storage
from projects.hosting import host_grant
from projects.models import Challenge, Dataset
from tests.bundles import predictions_csv, truth
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def host():
    user = UserFactory(username="teacher")
    host_grant(user=user)
    return user


def browser(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def solution_csv(rows: int = 20, *, usage: bool = True) -> bytes:
    header = "id,label,Usage\n" if usage else "id,label\n"
    lines = [f"{i},{label},{split}\n" if usage else f"{i},{label}\n" for i, label, split in truth(rows)]
    return (header + "".join(lines)).encode()


def form_data(**changes) -> dict:
    rows = truth(20)
    data = {
        "title": "Week 3: iris",
        "slug": "week-3",
        "level": "beginner",
        "summary": "Three kinds of flower.",
        "description": "# Week 3\n\nPredict the **label**.\n\n<script>alert(1)</script>",
        "evaluation": "Accuracy on the *hidden* labels.",
        "metric": "accuracy",
        "id_column": "id",
        "target_column": "label",
        "allowed_labels": "a, b, c",
        "visibility": "private",
        "start_at": "2026-01-01 09:00",
        "end_at": "2030-06-01 17:00",
        "daily_limit": "5",
        "total_limit": "",
        "train": SimpleUploadedFile("my train.CSV", b"id,feature,label\nt1,1,a\nt2,2,b\n"),
        "test": SimpleUploadedFile(
            "test.csv", ("id,feature\n" + "".join(f"{i},{i}\n" for i, _, _ in rows)).encode()
        ),
        "sample_submission": SimpleUploadedFile("sample.csv", predictions_csv(20, correct=0)),
        "solution": SimpleUploadedFile("solution.csv", solution_csv()),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def stored_names() -> set[str]:
    names = set()
    for storage, top in ((default_storage, "datasets"), (solutions_storage(), "solutions")):
        if storage.exists(top):
            stack = [top]
            while stack:
                folder = stack.pop()
                dirs, files = storage.listdir(folder)
                stack += [f"{folder}/{d}" for d in dirs]
                names |= {f"{folder}/{f}" for f in files}
    return names


def test_a_host_creates_a_private_draft_from_the_form_that_only_its_hosts_see(host):
    response = browser(host).post("/host/new/", form_data())
    assert response.status_code == 302 and response["Location"] == "/host/challenges/week-3/"
    challenge = Challenge.objects.get(slug="week-3")
    assert not challenge.is_published and challenge.visibility == "private"
    assert list(challenge.hosts.all()) == [host]
    assert challenge.title == "Week 3: iris" and challenge.metric == "accuracy"
    assert challenge.allowed_labels == ["a", "b", "c"] and challenge.daily_limit == 5
    assert challenge.end_at.isoformat() == "2030-06-01T17:00:00+00:00"
    assert "Predict the **label**." in challenge.description
    assert challenge.solution.rows == 20 and challenge.solution.public_rows == 10
    names = sorted(challenge.dataset.files.values_list("name", "kind"))
    assert names == [
        ("sample_submission.csv", "sample_submission"),
        ("test.csv", "test"),
        ("train.csv", "train"),
    ]
    # A draft: its hosts see it, nobody else does.
    assert browser(host).get("/challenges/week-3/").status_code == 200
    other_host = UserFactory()
    host_grant(user=other_host)
    for outsider in (other_host, UserFactory(), None):
        assert browser(outsider).get("/challenges/week-3/").status_code == 404
        if outsider is not None:
            assert browser(outsider).get("/host/challenges/week-3/").status_code == 404
    # Published, it scores like any challenge's page shows: the texts went through the sanitiser.
    browser(host).post("/host/challenges/week-3/", {"action": "publish"})
    page = browser(host).get("/challenges/week-3/").content.decode()
    assert "<strong>label</strong>" in page and "<script>alert(1)" not in page


def test_a_solution_without_a_usage_column_is_split_by_the_public_share(host):
    data = form_data(solution=SimpleUploadedFile("s.csv", solution_csv(usage=False)), public_percent="40")
    assert browser(host).post("/host/new/", data).status_code == 302
    assert Challenge.objects.get(slug="week-3").solution.public_rows == 8


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        # The engine's own words on the solution, as a bundle gets them.
        (
            {"solution": SimpleUploadedFile("s.csv", b"id,label,Usage\n1,a,Public\n1,b,Private\n")},
            "solution",
            "1",
        ),
        (
            {"solution": SimpleUploadedFile("s.csv", solution_csv().replace(b"Private", b"Hidden"))},
            "solution",
            "Usage",
        ),
        ({"solution": SimpleUploadedFile("s.csv", b"\xff\xfe\x00garbage")}, "solution", "solution"),
        ({"target_column": "class"}, "solution", "class"),
        ({"allowed_labels": "a, b"}, "solution", "c"),
        ({"metric": "f1_binary"}, "positive_label", "positive"),
        ({"metric": "map_at_k"}, "k", "K"),
        ({"end_at": "2025-01-01 00:00"}, "end_at", "after the start"),
        ({"slug": "not a slug"}, "slug", "slug"),
        ({"solution": None}, "solution", "required"),
        ({"test": None}, "test", "required"),
        ({"max_upload_mb": "100000"}, "max_upload_mb", "MB"),
    ],
)
def test_bad_input_shows_the_form_again_with_the_reason_beside_its_field_and_stores_nothing(
    host, changes, field, words
):
    before = stored_names()
    response = browser(host).post("/host/new/", form_data(**changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert words in " ".join(errors[field]), errors
    assert not Challenge.objects.filter(slug="week-3").exists()
    assert not Dataset.objects.filter(slug="week-3-data").exists()
    assert stored_names() == before


def test_a_slug_in_use_is_refused_beside_the_slug_without_touching_that_challenge(host, make_challenge):
    make_challenge(slug="week-3")
    response = browser(host).post("/host/new/", form_data(title="Mine"))
    assert response.status_code == 400
    assert "taken" in " ".join(response.context["form"].errors["slug"])
    assert Challenge.objects.get(slug="week-3").title == "Tiny week-3"


def test_the_preview_renders_markdown_through_the_challenge_pages_sanitiser(host):
    client = browser(host)
    response = client.post(
        "/host/preview/",
        {"description": "# Title\n\n## Data\n\nHello **world** <img src=x onerror=alert(1)>"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>world</strong>" in html and "onerror" not in html
    assert (
        "<h2>Data</h2>" in html and "Title" not in html
    )  # as the overview shows it: title dropped, h2 first
    evaluation = client.post("/host/preview/", {"evaluation": "## How\n\nText"}).content.decode()
    assert "<h3>How</h3>" in evaluation
    assert client.post("/host/preview/", {}).status_code == 400


def test_the_preview_asks_for_the_csrf_token_like_any_form(host):
    client = Client(enforce_csrf_checks=True)
    client.force_login(host)
    assert client.post("/host/preview/", {"description": "x"}).status_code == 403


def test_only_hosts_reach_the_form_and_the_preview(host):
    learner = UserFactory()
    for url, method in (("/host/new/", "get"), ("/host/new/", "post"), ("/host/preview/", "post")):
        assert getattr(browser(learner), method)(url, {"description": "x"}).status_code == 403
        anonymous = getattr(browser(None), method)(url, {"description": "x"})
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert browser(learner).post("/host/new/", form_data()).status_code == 403
    assert not Challenge.objects.filter(slug="week-3").exists()
    assert browser(host).get("/host/new/").status_code == 200
    assert browser(host).get("/host/preview/").status_code == 405


def test_the_form_page_wires_the_live_preview_to_the_preview_url(host):
    page = browser(host).get("/host/new/").content.decode()
    assert 'hx-post="/host/preview/"' in page and 'hx-params="description"' in page
    assert 'id="preview-description"' in page and 'id="preview-evaluation"' in page
