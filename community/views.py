"""Pages of the discussion: a challenge's Discussion tab, a topic page, and the forms behind their buttons.

Plain forms and redirects: everything works without JavaScript. Refusals (community.errors) become a page with
the sentence and the status the API would answer, in one place (`refusal_page`, hub/forms.py).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community.errors import DiscussionError
from community.forms import PostForm, ReportForm, TopicForm
from community.permissions import is_host
from community.selectors import post_get_visible, posts_of, topic_get_visible, topics_of
from community.services.moderation import post_report, post_set_hidden, topic_moderate
from community.services.posts import post_check_editable, post_delete, post_edit, post_reply
from community.services.topics import announcement_create, topic_create
from hub.forms import refusal_page as hub_refusal_page
from projects.selectors import challenge_get_visible
from projects.views import challenge_context

TOPICS_PER_PAGE = 20
POSTS_PER_PAGE = 50


refusal_page = hub_refusal_page(DiscussionError)


def _topic_url(topic, **query) -> str:
    url = reverse("topic-detail", args=[topic.challenge.slug, topic.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@require_http_methods(["GET", "POST"])
@refusal_page
def discussion(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = challenge_get_visible(slug=slug, viewer=request.user)
    form = TopicForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        if form.is_valid():
            data = dict(form.cleaned_data)
            create = announcement_create if data.pop("announce") else topic_create
            topic = create(author=request.user, challenge=challenge, **data)
            return redirect(_topic_url(topic))
    pages = Paginator(topics_of(challenge=challenge, viewer=request.user), TOPICS_PER_PAGE)
    page = pages.get_page(request.GET.get("page"))
    if not is_host(request.user, challenge):
        del form.fields["announce"]
    context = challenge_context(challenge, "discussion") | {"page": page, "form": form}
    return render(request, "community/discussion.html", context, status=400 if form.errors else 200)


@require_GET
@refusal_page
def topic_detail(request: HttpRequest, slug: str, topic_id: int) -> HttpResponse:
    topic = topic_get_visible(topic_id=topic_id, viewer=request.user)
    if topic.challenge.slug != slug:
        return redirect(_topic_url(topic))
    pages = Paginator(posts_of(topic=topic, viewer=request.user), POSTS_PER_PAGE)
    page = pages.get_page(request.GET.get("page"))
    context = challenge_context(topic.challenge, "discussion") | {
        "topic": topic,
        "page": page,
        "form": PostForm(),
        "host": is_host(request.user, topic.challenge),
    }
    return render(request, "community/topic.html", context)


@login_required
@require_POST
@refusal_page
def topic_reply(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = topic_get_visible(topic_id=topic_id, viewer=request.user)
    form = PostForm(request.POST)
    if not form.is_valid():
        context = challenge_context(topic.challenge, "discussion") | {
            "topic": topic,
            "page": Paginator(posts_of(topic=topic, viewer=request.user), POSTS_PER_PAGE).get_page(None),
            "form": form,
            "host": is_host(request.user, topic.challenge),
        }
        return render(request, "community/topic.html", context, status=400)
    post = post_reply(author=request.user, topic=topic, body=form.cleaned_data["body"])
    last = Paginator(posts_of(topic=topic, viewer=request.user), POSTS_PER_PAGE).num_pages
    return redirect(_topic_url(topic, page=last) + f"#post-{post.pk}")


@login_required
@require_POST
@refusal_page
def topic_moderate_page(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = topic_get_visible(topic_id=topic_id, viewer=request.user)
    flag, _, value = request.POST.get("action", "").partition(":")
    if flag in ("is_pinned", "is_locked", "is_hidden") and value in ("on", "off"):
        topic_moderate(user=request.user, topic=topic, **{flag: value == "on"})
    return redirect(_topic_url(topic))


@login_required
@require_http_methods(["GET", "POST"])
@refusal_page
def post_edit_page(request: HttpRequest, post_id: int) -> HttpResponse:
    post = post_get_visible(post_id=post_id, viewer=request.user)
    post_check_editable(user=request.user, post=post)
    form = PostForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        post_edit(user=request.user, post=post, body=form.cleaned_data["body"])
        return redirect(_topic_url(post.topic) + f"#post-{post.pk}")
    context = challenge_context(post.topic.challenge, "discussion") | {"post": post, "form": form}
    return render(request, "community/post_edit.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
@refusal_page
def post_action(request: HttpRequest, post_id: int) -> HttpResponse:
    """Delete (the author), hide or show (hosts), report (anyone signed in)."""
    post = post_get_visible(post_id=post_id, viewer=request.user)
    action = request.POST.get("action")
    if action == "delete":
        post_delete(user=request.user, post=post)
    elif action in ("hide", "show"):
        post_set_hidden(user=request.user, post=post, hidden=action == "hide")
    elif action == "report":
        form = ReportForm(request.POST)
        post_report(
            user=request.user, post=post, reason=form.cleaned_data["reason"] if form.is_valid() else ""
        )
        messages.success(request, "Thank you: the hub's moderators will look at this post.")
    return redirect(_topic_url(post.topic) + f"#post-{post.pk}")
