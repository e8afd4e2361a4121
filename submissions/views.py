"""Pages of submissions and leaderboards."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from projects.selectors import challenge_get_published, challenge_private_visible
from projects.views import challenge_context

from .models import LeaderboardEntry
from .selectors import (
    leaderboard_count,
    leaderboard_row_of,
    leaderboard_rows,
    submission_get_visible,
    submission_limits,
    submission_private_score,
    submissions_of,
)
from .services import SubmissionNotAllowed, submission_create

PAGE_SIZE = 100


class SubmissionForm(forms.Form):
    file = forms.FileField(label="Prediction file (CSV, or gzip / zip of one)")
    description = forms.CharField(label="Description (optional)", max_length=500, required=False)


@require_GET
def leaderboard(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = challenge_get_published(slug=slug)
    private_visible = challenge_private_visible(challenge)
    split = request.GET.get("split", "public")
    if split != LeaderboardEntry.Split.PRIVATE or not private_visible:
        split = LeaderboardEntry.Split.PUBLIC
    page_text = request.GET.get("page", "")
    # Not a number, or absurdly far (past what a database integer holds): the first page.
    page = int(page_text) if page_text.isdigit() and 1 <= int(page_text) <= 1_000_000 else 1
    context = challenge_context(challenge, "leaderboard")
    context |= {
        "split": split,
        "rows": leaderboard_rows(
            challenge=challenge, split=split, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
        ),
        "count": leaderboard_count(challenge=challenge, split=split),
        "page": page,
        "page_size": PAGE_SIZE,
        "me": leaderboard_row_of(challenge=challenge, split=split, user=request.user)
        if request.user.is_authenticated
        else None,
    }
    context["has_next"] = page * PAGE_SIZE < context["count"]
    return render(request, "submissions/leaderboard.html", context)


@login_required
@require_GET
def my_submissions(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = challenge_get_published(slug=slug)
    context = challenge_context(challenge, "submissions")
    submissions = list(submissions_of(challenge=challenge, user=request.user)[:200])
    private_visible = challenge_private_visible(challenge)
    for submission in submissions:
        submission.visible_private_score = submission.private_score if private_visible else None
    context["submissions"] = submissions
    return render(request, "submissions/my_submissions.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = challenge_get_published(slug=slug)
    form = SubmissionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            submission = submission_create(
                user=request.user,
                challenge=challenge,
                file=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except SubmissionNotAllowed as error:
            form.add_error("file", error.message)
        else:
            return redirect("submission-detail", submission_id=submission.pk)
    context = challenge_context(challenge, "submit")
    context |= {"form": form, "limits": submission_limits(challenge=challenge, user=request.user)}
    return render(request, "submissions/submit.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def submission_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = submission_get_visible(submission_id=submission_id, user=request.user)
    context = challenge_context(submission.challenge, "submissions")
    context |= {"submission": submission, "private_score": submission_private_score(submission)}
    return render(request, "submissions/submission_detail.html", context)
