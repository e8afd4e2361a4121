"""A private challenge, and a draft, do not exist for anyone they do not admit: every URL pattern of the hub (its
pages, the REST API, files, previews, leaderboards, discussion, the EvalAI and Kaggle protocols), walked from
Django's resolver with the challenge's real slug and ids, answers an outsider as it answers a challenge nobody
ever made, and no answer names it. The admitted learner and the host, walking the same paths, do reach it: the
walk is not vacuous.
"""

import json
import re

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from community.services.topics import topic_create
from compat.evalai_serializers import split_id
from projects.models import Admission
from projects.selectors import challenge_data_files
from submissions.models import LeaderboardEntry
from submissions.services.scoring import submission_score
from submissions.services.submit import submission_create
from tests.bundles import predictions_csv
from tests.conftest import upload
from tests.factories import UserFactory
from tests.security.test_every_endpoint import every_pattern, example_paths

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Zebra Quagga Secret Quiz"
# Kaggle's RPC methods take the challenge in the body, not the path.
KAGGLE_BODY = {
    "competitionName": "zq-secret",
    "fileName": "train.csv",
    "contentLength": 10,
    "blobFileTokens": "x",
}


def _values(challenge, submission, topic, data_file) -> dict[str, list[str]]:
    return {
        "topic_id": [str(topic.pk)],
        "post_id": [str(topic.posts.get().pk)],
        "uidb64": ["MQ"],
        "slug": [challenge.slug],
        "submission_id": [str(submission.pk)],
        "challenge_id": [str(challenge.pk)],
        "phase_id": [str(challenge.pk)],
        "phase_split_id": [
            str(split_id(challenge, LeaderboardEntry.Split.PUBLIC)),
            str(split_id(challenge, LeaderboardEntry.Split.PRIVATE)),
        ],
        "index": ["0"],
        "name": [data_file.name],
        "token": ["not-a-ticket"],
        "time": ["present", "all"],
        "approved": ["approved"],
        "public": ["public"],
        "code": ["guessed-invite-code"],
        "owner": [challenge.dataset.owner.username],
        "dataset_slug": [challenge.dataset.slug],
        "number": ["1"],
        "username": [submission.user.username],
        "other_id": [str(submission.pk)],
        "team_id": [str(submission.participant_id)],
        "user_id": [str(submission.user_id)],
        "request_id": ["1"],
    }


def _nobody_values(values: dict[str, list[str]]) -> dict[str, list[str]]:
    """The same paths for a challenge that was never made: the answer an outsider must not tell apart."""
    return values | {
        "slug": ["no-such-challenge"],
        "challenge_id": ["987654"],
        "phase_id": ["987654"],
        "phase_split_id": ["9876541", "9876542"],  # split_id of challenge 987654, public and private
        "dataset_slug": ["no-such-dataset"],
        "team_id": ["987654"],
        # The challenge's own topics, posts and submissions: ids nobody ever used.
        "topic_id": ["987655"],
        "post_id": ["987656"],
        "submission_id": ["987657"],
        "other_id": ["987657"],
    }


def _specific_values(values: dict[str, list[str]], of: dict[str, list[str]] | None = None) -> set[str]:
    """The path values that name the challenge or one of its resources (those the nobody walk changes), as
    `of` (the real walk's values, or the nobody walk's) spells them."""
    nobody = _nobody_values(values)
    changed = [key for key, options in values.items() if options != nobody[key]]
    return {value for key in changed for value in (of or values)[key]}


def _normalized(body: bytes, named: set[str], path: str) -> bytes:
    """The body with the request's path and every value naming the resource replaced by a mark: the real and
    the never-made resource's answers then compare equal when they say the same thing."""
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"<csrf>", body)
    body = body.replace(path.encode(), b"<path>")
    for value in sorted(named, key=len, reverse=True):
        # A number as a sentence says it ("no topic 7.") or as a step of a path, not "scale=1" or an SVG's.
        before = rb"(?<=[a-z] |[a-z]')|(?<=/)" if value.isdigit() else rb"(?<![\w-])"
        body = re.sub(
            rb"(?:" + before + rb")" + re.escape(value.encode()) + rb"(?=[\s'\"/.,]|$)", b"<named>", body
        )
    return body


@pytest.fixture
def secret(make_challenge, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute", "auth": "100000/minute"},
    }

    def build(kind: str):
        host, learner = UserFactory(), UserFactory()
        manifest = {"visibility": "private"} if kind == "private" else {}
        challenge = make_challenge(slug="zq-secret", title=SECRET_TITLE, **manifest)
        challenge.hosts.add(host)
        if kind == "draft":
            challenge.is_published = False
            challenge.save(update_fields=["is_published"])
            admitted = host  # a draft admits its hosts only
        else:
            Admission.objects.create(challenge=challenge, user=learner, via=Admission.Via.INVITE)
            admitted = learner
        submission = submission_create(
            user=admitted, challenge=challenge, file=upload(predictions_csv(20, correct=9))
        )
        submission_score(submission_id=submission.pk, delivery_id="private-walk")
        topic = topic_create(
            author=admitted, challenge=challenge, title="A secret topic", body="Hidden talk."
        )
        data_file = challenge_data_files(challenge).get(name="train.csv")
        return challenge, admitted, _values(challenge, submission, topic, data_file)

    return build


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _headers(user) -> dict[str, str]:
    if user is None:
        return {}
    return {"HTTP_AUTHORIZATION": f"Bearer {Token.objects.get_or_create(user=user)[0].key}"}


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _answers(user, values: dict[str, list[str]]) -> dict[str, tuple[int, bytes]]:
    """(status, body) of a GET of every example path, and of a POST where the path is a Kaggle RPC method."""
    client, headers = _client(user), _headers(user)
    answers = {}
    for route, name in every_pattern():
        for path in example_paths(route, name, values):
            response = client.get(path, **headers)
            answers[f"GET {path}"] = (response.status_code, _body(response))
            if name and name.startswith("kaggle-"):
                body = json.dumps(KAGGLE_BODY | {"competitionName": values["slug"][0]})
                response = client.post(path, body, content_type="application/json", **headers)
                answers[f"POST {path}"] = (response.status_code, _body(response))
    return answers


def _challenge_specific(key: str, values: dict[str, list[str]]) -> bool:
    """Whether the path names the challenge or a resource of it (a topic, post, submission, team, dataset)."""
    _, path = key.split(" ", 1)
    return bool(_specific_values(values) & set(path.split("/")))


def _differences(body: bytes, nobody: bytes) -> str:
    """The first line where the two answers part, to read in a failure."""
    for line, other in zip(body.splitlines(), nobody.splitlines(), strict=False):
        if line != other:
            return f"{line.strip()[:300]!r}, for one that does not exist {other.strip()[:300]!r}"
    return f"{len(body)} bytes, for one that does not exist {len(nobody)}"


@pytest.mark.parametrize("kind", ["private", "draft"])
@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_every_url_of_a_hidden_challenge_answers_an_outsider_as_if_it_did_not_exist(secret, kind, who):
    challenge, _, values = secret(kind)
    outsider = UserFactory() if who == "outsider" else None
    seen = _answers(outsider, values)
    nobody = _answers(outsider, _nobody_values(values))
    nobody_by_position, nobody_keys = list(nobody.values()), list(nobody)
    named = _specific_values(values)
    nobody_named = _specific_values(values, of=_nobody_values(values))
    failures = []
    for position, (key, (status, body)) in enumerate(seen.items()):
        if SECRET_TITLE.encode() in body or b"A secret topic" in body:
            failures.append(f"{key} -> {status} names the hidden challenge")
        expected_status = nobody_by_position[position][0]
        if key.startswith("POST") and status != expected_status:  # Kaggle: the challenge is in the body
            failures.append(f"{key} -> {status}, a challenge that does not exist -> {expected_status}")
        if not _challenge_specific(key, values):
            continue
        if status != expected_status or status not in (302, 401, 403, 404, 405, 406):
            failures.append(f"{key} -> {status}, a challenge that does not exist -> {expected_status}")
            continue
        if status in (403, 406) and key.startswith("GET /challenges/"):
            failures.append(f"{key} -> {status}")
        # The same words too: an error that names the challenge (or tells its topic from one never written)
        # says it exists.
        ours = _normalized(body, named, key.split(" ", 1)[1])
        theirs = _normalized(
            nobody_by_position[position][1], nobody_named, nobody_keys[position].split(" ", 1)[1]
        )
        if ours != theirs:
            failures.append(f"{key} -> {_differences(ours, theirs)}")
    assert not failures, "\n".join(failures)
    not_found = [
        key
        for key, (status, _) in seen.items()
        if status in (404, 406) and (_challenge_specific(key, values) or key.startswith("POST"))
    ]
    assert len(not_found) > 40  # pages, API, files, boards, discussion, both protocols


@pytest.mark.parametrize("kind", ["private", "draft"])
def test_the_learners_it_admits_reach_the_same_urls(secret, kind):
    challenge, admitted, values = secret(kind)
    seen = _answers(admitted, values)
    reached = [
        key
        for key, (status, _) in seen.items()
        if status == 200 and (_challenge_specific(key, values) or key.startswith("POST"))
    ]
    must_reach = [
        f"GET /challenges/{challenge.slug}/",
        f"GET /challenges/{challenge.slug}/data/",
        f"GET /challenges/{challenge.slug}/files/train.csv",
        f"GET /challenges/{challenge.slug}/leaderboard/",
        f"GET /challenges/{challenge.slug}/discussion/",
        f"GET /api/v1/challenges/{challenge.slug}/",
        f"GET /api/v1/challenges/{challenge.slug}/leaderboard/",
        f"GET /api/challenges/challenge/{challenge.pk}",
        "POST /api/v1/competitions.CompetitionApiService/ListDataFiles",
    ]
    assert set(must_reach) <= set(reached), sorted(set(must_reach) - set(reached))
    assert len(reached) > 30


@pytest.mark.parametrize("kind", ["private", "draft"])
def test_the_dataset_only_a_hidden_challenge_uses_is_hidden_with_it(secret, kind):
    challenge, admitted, _ = secret(kind)
    dataset = f"{challenge.dataset.owner.username}/{challenge.dataset.slug}"
    for outsider in (UserFactory(), None):
        client = _client(outsider)
        assert client.get(f"/datasets/{dataset}/").status_code == 404
        assert client.get(f"/datasets/{dataset}/versions/1/files/train.csv/images/0").status_code == 404
        assert client.get(f"/api/v1/datasets/{dataset}/").status_code == 404
        assert challenge.dataset.slug.encode() not in client.get("/datasets/").content
    assert _client(admitted).get(f"/datasets/{dataset}/").status_code == 200
