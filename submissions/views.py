"""Pages of submissions and leaderboards.

Every page is complete without JavaScript. With it, htmx polls small fragments of the same templates: the
leaderboard while it is open, a submission until it is scored, and the submit form uploads in place with a
progress bar. The fragments are separate addresses, so a full page and a fragment are never cached as one.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods

from hub.forms import form_refused
from hub.pagination import PagingError
from learning.views import milestone_context
from projects.models import Challenge
from projects.selectors import challenge_get_visible
from projects.views import challenge_context
from workers.scoring import METRICS

from .errors import SubmissionRefused
from .insight.selectors import submission_standing
from .insight.views import insight_context
from .leaderboard import (
    Viewer,
    leaderboard_page,
    leaderboard_row_of,
    leaderboard_split_visible,
    visible_scores,
)
from .models import LeaderboardEntry, Submission
from .selectors import (
    submission_get_visible,
    submission_limits,
    submissions_of,
)
from .services.final_selection import submission_set_final
from .services.submit import submission_create
from .team_selectors import team_has_member

PAGE_SIZE = 100
MY_SUBMISSIONS_SHOWN = 200


class SubmissionForm(forms.Form):
    file = forms.FileField(
        label="Prediction file",
        help_text="A CSV, or a gzip or zip of one.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.gz,.zip,text/csv"}),
        error_messages={
            "required": "Choose a file to upload: your predictions as a CSV.",
            "empty": "The file is empty. Upload a CSV with a header and one row per test id.",
        },
    )
    description = forms.CharField(
        label="Description (optional)",
        max_length=500,
        required=False,
        help_text="A note for yourself, e.g. the model and its settings.",
    )


def _is_fragment_request(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _leaderboard_csv_url(challenge: Challenge, split: str) -> str | None:
    """The leaderboard's CSV export (issue 5, built with the leaderboard's API), linked once that route exists."""
    try:
        return reverse("api-leaderboard-csv", args=[challenge.slug]) + f"?split={split}"
    except NoReverseMatch:
        return None


def _board_context(request: HttpRequest, challenge: Challenge) -> dict:
    """A page answers rather than refuses: a hidden private board shows the public one, a pager link someone
    edited the first page, a page past the end the last one."""
    split = request.GET.get("split", LeaderboardEntry.Split.PUBLIC)
    if not (
        split == LeaderboardEntry.Split.PRIVATE and leaderboard_split_visible(challenge, split, request.user)
    ):
        split = LeaderboardEntry.Split.PUBLIC

    def page_of(number: str | None):
        return leaderboard_page(
            challenge=challenge,
            split=split,
            viewer=request.user,
            page=number,
            default_size=PAGE_SIZE,
            past_last="last",
        )

    try:
        board = page_of(request.GET.get("page"))
    except PagingError:
        board = page_of(None)
    rows = board.rows
    signed_in = request.user.is_authenticated
    me = leaderboard_row_of(challenge=challenge, split=split, user=request.user) if signed_in else None
    return {
        "split": split,
        "rows": rows,
        "count": board.count,
        "learners": board.learners,  # baselines take no rank and are not counted
        "page": board.number,
        "last_page": board.last_page,
        "me": me,
        "me_on_page": me is not None and any(row.team_id == me.team_id for row in rows),
        "limits": submission_limits(challenge=challenge, user=request.user) if signed_in else None,
        "poll_seconds": settings.HUB_LEADERBOARD_POLL_SECONDS,
    }


@require_GET
def leaderboard(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = challenge_get_visible(slug=slug, viewer=request.user)
    context = challenge_context(challenge, "leaderboard") | _board_context(request, challenge)
    context["csv_url"] = _leaderboard_csv_url(challenge, context["split"])
    return render(request, "submissions/leaderboard.html", context)


@require_GET
def leaderboard_board(request: HttpRequest, slug: str) -> HttpResponse:
    """The live part of the leaderboard page (my rank, the rows, the pager), polled by htmx."""
    challenge = challenge_get_visible(slug=slug, viewer=request.user)
    context = {"challenge": challenge} | _board_context(request, challenge)
    return render(request, "submissions/_board.html", context)


def _my_submissions_context(request: HttpRequest, challenge: Challenge) -> dict:
    submissions = list(submissions_of(challenge=challenge, user=request.user)[:MY_SUBMISSIONS_SHOWN])
    for submission in submissions:
        submission.visible_private_score = visible_scores(submission, request.user).private
    return {
        "challenge": challenge,
        "submissions": submissions,
        "private_visible": leaderboard_split_visible(challenge, LeaderboardEntry.Split.PRIVATE, request.user),
        "pending": any(s.status not in Submission.FINAL_STATUSES for s in submissions),
        "limits": submission_limits(challenge=challenge, user=request.user),
    }


@login_required
@require_GET
def my_submissions(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = challenge_get_visible(slug=slug, viewer=request.user)
    context = challenge_context(challenge, "submissions") | _my_submissions_context(request, challenge)
    return render(request, "submissions/my_submissions.html", context)


@login_required
@require_GET
def my_submissions_table(request: HttpRequest, slug: str) -> HttpResponse:
    """The table of the learner's submissions, polled by htmx while one of them is still being scored."""
    challenge = challenge_get_visible(slug=slug, viewer=request.user)
    return render(
        request, "submissions/_my_submissions_table.html", _my_submissions_context(request, challenge)
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    """Without JavaScript: post, then land on the submission's page. With htmx: the form region is swapped in
    place, showing the new submission's live status under a fresh form."""
    challenge = challenge_get_visible(slug=slug, viewer=request.user)
    form = SubmissionForm(request.POST, request.FILES) if request.method == "POST" else SubmissionForm()
    submission = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                submission = submission_create(user=request.user, challenge=challenge, **form.cleaned_data)
            except SubmissionRefused as error:
                status = form_refused(form, error, field="file")
        else:
            status = 400
        if submission is not None and not _is_fragment_request(request):
            return redirect("submission-detail", submission_id=submission.pk)
        if submission is not None:
            form = SubmissionForm()
    context = challenge_context(challenge, "submit") | {
        "form": form,
        "submission": submission,
        "limits": submission_limits(challenge=challenge, user=request.user),
    }
    if submission is not None:
        context |= _submission_context(submission, request.user)
    template = (
        "submissions/_submit_region.html" if _is_fragment_request(request) else "submissions/submit.html"
    )
    return render(request, template, context, status=status)


def _submission_context(submission: Submission, viewer: Viewer = None) -> dict:
    scores = visible_scores(submission, viewer)
    extra_scores = [
        {
            "name": METRICS[key].name if key in METRICS else key,
            "public": values.get("public"),
            "private": values.get("private"),
        }
        for key, values in scores.extra.items()
        if isinstance(values, dict)
    ]
    return {
        "submission": submission,
        "private_score": scores.private,
        "extra_scores": extra_scores,
        "pending": submission.status not in Submission.FINAL_STATUSES,
        "standing": submission_standing(submission),
        "time_taken": submission.finished_at - submission.started_at
        if submission.finished_at and submission.started_at
        else None,
    }


@login_required
@require_GET
def submission_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = submission_get_visible(submission_id=submission_id, user=request.user)
    context = challenge_context(submission.challenge, "submissions")
    context |= _submission_context(submission, request.user)
    # The author needs no query; a teammate may select the team's submissions too.
    context["in_my_team"] = submission.user_id == request.user.pk or team_has_member(
        participant_id=submission.participant_id, user=request.user
    )
    context |= insight_context(submission) | milestone_context(submission, request.user)
    return render(request, "submissions/submission_detail.html", context)


@login_required
@require_http_methods(["POST"])
def submission_final(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Select a submission for the private leaderboard, or unselect it (the form's `final` is 1 or 0)."""
    submission = submission_get_visible(submission_id=submission_id, user=request.user)
    is_final = request.POST.get("final") == "1"
    try:
        submission_set_final(submission=submission, user=request.user, is_final=is_final)
    except SubmissionRefused as error:
        messages.error(request, error.message)
    else:
        done = "now counts" if is_final else "no longer counts"
        messages.success(request, f"Submission {submission.pk} {done} for the private leaderboard.")
    return redirect("submission-detail", submission_id=submission.pk)


@login_required
@require_GET
def submission_status(request: HttpRequest, submission_id: int) -> HttpResponse:
    """The status and score of one submission, polled by htmx until it is scored or failed."""
    submission = submission_get_visible(submission_id=submission_id, user=request.user)
    context = {"challenge": submission.challenge, "embedded": request.GET.get("embedded") == "1"}
    context |= _submission_context(submission, request.user)
    if context["embedded"] and not context["pending"]:
        # Under the submit form, the count of submissions left is shown too: a failed file gives its one back.
        context["limits_now"] = submission_limits(challenge=submission.challenge, user=request.user)
    return render(request, "submissions/_submission_status.html", context)
