"""The Discussion tab and topic pages, with plain forms (no JavaScript), and every discussion address walked as an
anonymous visitor and as another learner."""

import pytest
from django.test import Client, override_settings

from community.models import Post, PostReport, Topic
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_learner_starts_a_topic_and_another_replies_through_the_forms(user, other_user, challenge):
    tab = Client().get(f"/challenges/{challenge.slug}/")
    assert f'href="/challenges/{challenge.slug}/discussion/"' in tab.content.decode()

    created = signed_in(user).post(
        f"/challenges/{challenge.slug}/discussion/", {"title": "Baseline?", "body": "What *score* is good?"}
    )
    topic = Topic.objects.get()
    assert (
        created.status_code == 302
        and created["Location"] == f"/challenges/{challenge.slug}/discussion/{topic.pk}/"
    )
    replied = signed_in(other_user).post(f"/discussion/topics/{topic.pk}/reply/", {"body": "Above 0.9."})
    assert replied.status_code == 302
    page = Client().get(created["Location"]).content.decode()
    assert "Baseline?" in page and "<em>score</em>" in page and "Above 0.9." in page
    listing = Client().get(f"/challenges/{challenge.slug}/discussion/").content.decode()
    assert "Baseline?" in listing and "1 reply" in listing


def test_topics_are_paginated_by_last_activity(user, challenge):
    with override_settings(HUB_POST_RATE="1000/minute"):
        for n in range(25):
            signed_in(user).post(
                f"/challenges/{challenge.slug}/discussion/", {"title": f"Topic {n:02}", "body": "b"}
            )
    first = Client().get(f"/challenges/{challenge.slug}/discussion/").content.decode()
    second = Client().get(f"/challenges/{challenge.slug}/discussion/?page=2").content.decode()
    assert "Topic 24" in first and "Topic 05" in first and "Topic 04" not in first
    assert "Topic 04" in second and "Topic 00" in second and "page 2 of 2" in second
    assert Client().get(f"/challenges/{challenge.slug}/discussion/?page=abc").status_code == 200


def test_edits_are_marked_and_deletion_leaves_a_marker(user, challenge):
    signed_in(user).post(f"/challenges/{challenge.slug}/discussion/", {"title": "T", "body": "first"})
    post = Post.objects.get()
    assert signed_in(user).post(f"/discussion/posts/{post.pk}/edit/", {"body": "second"}).status_code == 302
    page = Client().get(f"/challenges/{challenge.slug}/discussion/{post.topic_id}/").content.decode()
    assert "second" in page and "edited" in page
    signed_in(user).post(f"/discussion/posts/{post.pk}/", {"action": "delete"})
    page = Client().get(f"/challenges/{challenge.slug}/discussion/{post.topic_id}/").content.decode()
    assert "deleted by its author" in page and "second" not in page


def test_reports_are_listed_in_the_admin(user, other_user, challenge):
    signed_in(user).post(f"/challenges/{challenge.slug}/discussion/", {"title": "T", "body": "rude words"})
    post = Post.objects.get()
    signed_in(other_user).post(f"/discussion/posts/{post.pk}/", {"action": "report", "reason": "rude"})
    assert PostReport.objects.get().reason == "rude"
    admin = signed_in(UserFactory(is_staff=True, is_superuser=True))
    listing = admin.get("/admin/community/postreport/").content.decode()
    assert "rude" in listing


def test_hosts_pin_lock_and_hide_and_their_posts_are_marked(user, other_user, host, challenge):
    signed_in(user).post(f"/challenges/{challenge.slug}/discussion/", {"title": "Old", "body": "b"})
    signed_in(user).post(f"/challenges/{challenge.slug}/discussion/", {"title": "New", "body": "b"})
    old = Topic.objects.get(title="Old")
    signed_in(host).post(f"/discussion/topics/{old.pk}/moderate/", {"action": "is_pinned:on"})
    listing = Client().get(f"/challenges/{challenge.slug}/discussion/").content.decode()
    assert listing.index("Old") < listing.index("New") and "Pinned" in listing

    signed_in(host).post(f"/discussion/topics/{old.pk}/moderate/", {"action": "is_locked:on"})
    refused = signed_in(other_user).post(f"/discussion/topics/{old.pk}/reply/", {"body": "late"})
    assert refused.status_code == 403 and "locked" in refused.content.decode()
    signed_in(host).post(f"/discussion/topics/{old.pk}/reply/", {"body": "Answered above."})
    page = Client().get(f"/challenges/{challenge.slug}/discussion/{old.pk}/").content.decode()
    assert 'class="badge host"' in page and "This topic is locked" in page

    signed_in(host).post(f"/discussion/topics/{old.pk}/moderate/", {"action": "is_hidden:on"})
    assert Client().get(f"/challenges/{challenge.slug}/discussion/{old.pk}/").status_code == 404
    assert signed_in(host).get(f"/challenges/{challenge.slug}/discussion/{old.pk}/").status_code == 200


@override_settings(HUB_POST_RATE="2/minute")
def test_the_post_rate_on_the_pages_is_a_429_page_that_says_to_wait(user, challenge):
    client = signed_in(user)
    for n in range(2):
        assert (
            client.post(
                f"/challenges/{challenge.slug}/discussion/", {"title": f"{n}", "body": "b"}
            ).status_code
            == 302
        )
    refused = client.post(f"/challenges/{challenge.slug}/discussion/", {"title": "3", "body": "b"})
    assert refused.status_code == 429
    assert "posting too fast" in refused.content.decode() and int(refused["Retry-After"]) > 0


def test_a_bad_form_is_a_400_naming_the_field(user, challenge):
    response = signed_in(user).post(f"/challenges/{challenge.slug}/discussion/", {"title": "", "body": "b"})
    assert response.status_code == 400 and "This field is required" in response.content.decode()


def test_every_discussion_address_refuses_anonymous_visitors_and_other_learners(user, other_user, challenge):
    signed_in(user).post(f"/challenges/{challenge.slug}/discussion/", {"title": "Mine", "body": "b"})
    topic = Topic.objects.get()
    post = Post.objects.get()
    writes = [
        (f"/challenges/{challenge.slug}/discussion/", {"title": "t", "body": "b"}),
        (f"/discussion/topics/{topic.pk}/reply/", {"body": "b"}),
        (f"/discussion/topics/{topic.pk}/moderate/", {"action": "is_hidden:on"}),
        (f"/discussion/posts/{post.pk}/edit/", {"body": "b"}),
        (f"/discussion/posts/{post.pk}/", {"action": "delete"}),
        (f"/discussion/posts/{post.pk}/", {"action": "hide"}),
    ]
    for url, data in writes:
        response = Client().post(url, data)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    other = signed_in(other_user)
    assert (
        other.post(f"/discussion/topics/{topic.pk}/moderate/", {"action": "is_hidden:on"}).status_code == 403
    )
    assert other.get(f"/discussion/posts/{post.pk}/edit/").status_code == 403
    assert other.post(f"/discussion/posts/{post.pk}/edit/", {"body": "mine"}).status_code == 403
    assert other.post(f"/discussion/posts/{post.pk}/", {"action": "delete"}).status_code == 403
    assert other.post(f"/discussion/posts/{post.pk}/", {"action": "hide"}).status_code == 403
    post.refresh_from_db()
    topic.refresh_from_db()
    assert post.body == "b" and not post.is_deleted and not post.is_hidden and not topic.is_hidden

    challenge.is_published = False
    challenge.save(update_fields=["is_published"])
    for client in (Client(), signed_in(user)):
        for url in (
            f"/challenges/{challenge.slug}/discussion/",
            f"/challenges/{challenge.slug}/discussion/{topic.pk}/",
        ):
            assert client.get(url).status_code == 404, url
        assert client.post(f"/discussion/topics/{topic.pk}/reply/", {"body": "b"}).status_code in (302, 404)
    assert signed_in(user).post(f"/discussion/topics/{topic.pk}/reply/", {"body": "b"}).status_code == 404
