"""The discussion's REST API: topics and replies, edits marked edited, deletion by the author, rate limits,
locked and hidden topics, and the refusals as the API's one error shape."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tests.community.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_topic_is_created_with_its_rendered_body_and_listed_by_last_activity(
    user, other_user, challenge, start_topic
):
    first = start_topic(user, challenge, title="First")
    assert first["body_html"] == "<p>I am <strong>new</strong> here.</p>"
    assert first["author"] == user.username and first["reply_count"] == 0
    second = start_topic(other_user, challenge, title="Second")
    listed = APIClient().get(f"/api/v1/challenges/{challenge.slug}/topics/").json()
    assert [t["title"] for t in listed["results"]] == ["Second", "First"]

    reply = client_for(other_user).post(
        f"/api/v1/topics/{first['id']}/posts/", {"body": "Read the `starter kit`."}, format="json"
    )
    assert reply.status_code == 201
    assert reply.json()["body_html"] == "<p>Read the <code>starter kit</code>.</p>"
    listed = APIClient().get(f"/api/v1/challenges/{challenge.slug}/topics/").json()
    assert [t["title"] for t in listed["results"]] == ["First", "Second"], "a reply moves its topic up"
    assert listed["results"][0]["reply_count"] == 1
    posts = APIClient().get(f"/api/v1/topics/{first['id']}/posts/").json()["results"]
    assert [p["is_opening"] for p in posts] == [True, False]
    assert second["id"] != first["id"]


def test_the_author_edits_and_deletes_their_post_and_nobody_else_may(
    user, other_user, challenge, start_topic
):
    topic = start_topic(user, challenge)
    post_url = f"/api/v1/posts/{topic['post_id']}/"
    assert client_for(other_user).patch(post_url, {"body": "mine now"}, format="json").status_code == 403
    assert client_for(other_user).delete(post_url).status_code == 403
    assert APIClient().patch(post_url, {"body": "x"}, format="json").status_code == 401

    edited = client_for(user).patch(post_url, {"body": "Edited *text*"}, format="json")
    assert edited.status_code == 200
    assert edited.json()["is_edited"] is True
    assert edited.json()["body_html"] == "<p>Edited <em>text</em></p>"
    assert APIClient().get(f"/api/v1/topics/{topic['id']}/").json()["is_edited"] is True

    assert client_for(user).delete(post_url).status_code == 204
    deleted = APIClient().get(post_url).json()
    assert deleted["is_deleted"] is True and "Edited" not in deleted["body"]
    refused = client_for(user).patch(post_url, {"body": "back"}, format="json")
    assert refused.status_code == 403
    assert set(refused.json()) == {"error", "detail", "code"}


def test_a_locked_topic_takes_replies_from_hosts_only(user, other_user, host, challenge, start_topic):
    topic = start_topic(user, challenge)
    assert (
        client_for(user)
        .patch(f"/api/v1/topics/{topic['id']}/", {"is_locked": True}, format="json")
        .status_code
        == 403
    )
    assert (
        client_for(host)
        .patch(f"/api/v1/topics/{topic['id']}/", {"is_locked": True}, format="json")
        .status_code
        == 200
    )

    refused = client_for(other_user).post(
        f"/api/v1/topics/{topic['id']}/posts/", {"body": "hi"}, format="json"
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "topic_locked"
    assert "locked" in refused.json()["error"]
    by_host = client_for(host).post(
        f"/api/v1/topics/{topic['id']}/posts/", {"body": "Closing this."}, format="json"
    )
    assert by_host.status_code == 201 and by_host.json()["by_host"] is True


def test_a_hidden_topic_or_post_is_404_to_all_but_hosts(user, other_user, host, challenge, start_topic):
    topic = start_topic(user, challenge)
    reply = (
        client_for(other_user)
        .post(f"/api/v1/topics/{topic['id']}/posts/", {"body": "spam"}, format="json")
        .json()
    )
    client_for(host).patch(f"/api/v1/topics/{topic['id']}/", {"is_hidden": True}, format="json")
    for client in (APIClient(), client_for(user), client_for(other_user)):
        assert client.get(f"/api/v1/topics/{topic['id']}/").status_code == 404
        assert client.get(f"/api/v1/topics/{topic['id']}/posts/").status_code == 404
        assert client.get(f"/api/v1/posts/{reply['id']}/").status_code == 404
        assert client.get(f"/api/v1/challenges/{challenge.slug}/topics/").json()["count"] == 0
    assert (
        client_for(other_user)
        .post(f"/api/v1/topics/{topic['id']}/posts/", {"body": "x"}, format="json")
        .status_code
        == 404
    )
    assert client_for(host).get(f"/api/v1/topics/{topic['id']}/").json()["is_hidden"] is True


def test_a_discussion_of_an_unpublished_challenge_is_404_to_outsiders(user, challenge, start_topic):
    topic = start_topic(user, challenge)
    challenge.is_published = False
    challenge.save(update_fields=["is_published"])
    for url in (
        f"/api/v1/challenges/{challenge.slug}/topics/",
        f"/api/v1/topics/{topic['id']}/",
        f"/api/v1/topics/{topic['id']}/posts/",
        f"/api/v1/posts/{topic['post_id']}/",
    ):
        for client in (APIClient(), client_for(user)):
            response = client.get(url)
            assert response.status_code == 404, url
            assert response.json()["code"] == "not_found"
    create = client_for(user).post(
        f"/api/v1/challenges/{challenge.slug}/topics/", {"title": "t", "body": "b"}, format="json"
    )
    assert create.status_code == 404


@override_settings(HUB_POST_RATE="3/minute")
def test_new_topics_and_replies_count_together_against_the_post_rate_with_a_clear_429(
    user, other_user, challenge, start_topic
):
    topic = start_topic(user, challenge)
    client = client_for(user)
    assert (
        client.post(f"/api/v1/topics/{topic['id']}/posts/", {"body": "2"}, format="json").status_code == 201
    )
    assert (
        client.post(f"/api/v1/topics/{topic['id']}/posts/", {"body": "3"}, format="json").status_code == 201
    )
    refused = client.post(f"/api/v1/topics/{topic['id']}/posts/", {"body": "4"}, format="json")
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert "posting too fast" in refused.json()["error"] and "3/minute" in refused.json()["error"]
    assert int(refused["Retry-After"]) > 0
    also = client.post(
        f"/api/v1/challenges/{challenge.slug}/topics/", {"title": "t", "body": "b"}, format="json"
    )
    assert also.status_code == 429
    # Per user: another learner still posts.
    assert (
        client_for(other_user)
        .post(f"/api/v1/topics/{topic['id']}/posts/", {"body": "ok"}, format="json")
        .status_code
        == 201
    )


@pytest.mark.parametrize(
    "payload",
    [
        {"title": "", "body": "b"},
        {"title": "t" * 201, "body": "b"},
        {"title": "t", "body": "b" * 20_001},
        {"title": {"nested": {"deep": [1, 2]}}, "body": "b"},
        {"title": "t", "body": ["a", "list"]},
        {"title": "t"},
        ["not", "an", "object"],
    ],
)
def test_bad_topic_input_is_a_400_naming_the_field(user, challenge, payload):
    response = client_for(user).post(f"/api/v1/challenges/{challenge.slug}/topics/", payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]


@pytest.mark.parametrize(
    "body", ["[" * 50_000 + "]" * 50_000, '{"a":' * 50_000 + "1" + "}" * 50_000, "x" * (2 * 1024 * 1024)]
)
def test_deeply_nested_or_huge_json_is_a_4xx_on_every_write_endpoint(user, challenge, start_topic, body):
    topic = start_topic(user, challenge)
    client = client_for(user)
    for method, url in (
        ("post", f"/api/v1/challenges/{challenge.slug}/topics/"),
        ("post", f"/api/v1/topics/{topic['id']}/posts/"),
        ("patch", f"/api/v1/topics/{topic['id']}/"),
        ("patch", f"/api/v1/posts/{topic['post_id']}/"),
    ):
        response = getattr(client, method)(url, body, content_type="application/json")
        assert 400 <= response.status_code < 500, (url, response.status_code)


def test_unknown_ids_are_404(user):
    for url in ("/api/v1/topics/999999/", "/api/v1/topics/999999/posts/", "/api/v1/posts/999999/"):
        assert client_for(user).get(url).status_code == 404
    assert client_for(UserFactory()).delete("/api/v1/posts/999999/").status_code == 404
