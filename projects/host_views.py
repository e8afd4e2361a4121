"""The hosts' pages: their challenges, a new one from a bundle, and managing one (state, who may enter, texts,
dates and limits, co-hosts, the private board, rescoring, every submission, the roster and the gradebook).

Every page resolves its challenge with challenge_get_hosted: 404 for whoever cannot see the challenge, 403 for
a learner who can. The writes are the services' (projects/hosting.py, submissions/services.py).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from hub.downloads import file_response
from submissions.models import Submission
from submissions.roster import challenge_roster
from submissions.services.moderation import submission_set_disqualified
from submissions.services.scoring import submissions_rescore

from .bundles import BundleError
from .hosting import (
    EDITABLE_FIELDS,
    HostingError,
    challenge_allowed_emails_set,
    challenge_create_from_labelled,
    challenge_create_from_upload,
    challenge_host_add,
    challenge_invite_rotate,
    challenge_limit_override_put,
    challenge_publish,
    challenge_update,
)
from .labelled import LabelledSpec, usable_metrics
from .models import Challenge, Visibility
from .selectors import HostOnly, challenge_get_hosted, user_is_host
from .services import challenge_reveal_private

SUBMISSIONS_SHOWN = 500
LABELLED_METRICS = [(key, key) for key in usable_metrics()]


class BundleForm(forms.Form):
    bundle = forms.FileField(
        label="Challenge bundle (.zip)",
        help_text="A zip of a folder with challenge.yaml, the public files and the hidden solution "
        "(the format of import_challenge, see docs/challenge-bundles.md).",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )


class ChallengeEditForm(forms.ModelForm):
    allowed_emails = forms.CharField(
        label="Allowed e-mail addresses and domains",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line: ada@example.org, or @university.edu for a whole domain. Learners whose verified "
        "address matches may join a private challenge without the invite code.",
    )

    class Meta:
        model = Challenge
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "start_at": forms.DateTimeInput(attrs={"type": "text", "placeholder": "2026-09-01 09:00"}),
            "end_at": forms.DateTimeInput(attrs={"type": "text", "placeholder": "2026-12-01 17:00"}),
        }

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_at"), data.get("end_at")
        if start and end and end <= start:
            self.add_error("end_at", "The end must be after the start.")
        if data.get("daily_limit") == 0:
            self.add_error("daily_limit", "Allow at least 1 submission a day.")
        return data


class LabelledForm(forms.Form):
    data = forms.FileField(
        label="Labelled data (.csv, or a .zip of the CSV and its images)",
        help_text="One row per example with an id and a label; images, if any, named as the id column says.",
    )
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(max_length=100, help_text="The challenge's address: /challenges/<slug>/")
    id_column = forms.CharField(max_length=100, initial="ID")
    target_column = forms.CharField(max_length=100, initial="Class", help_text="The column to predict")
    metric = forms.ChoiceField(choices=LABELLED_METRICS, initial="accuracy")
    test_share = forms.FloatField(
        min_value=0.05, max_value=0.5, initial=0.2, help_text="The share of rows held out as the test set"
    )
    seed = forms.IntegerField(
        min_value=0, max_value=2**31, initial=42, help_text="The same seed, the same split"
    )


class LimitOverrideForm(forms.Form):
    username = forms.CharField(
        max_length=150, required=False, help_text="A learner, or leave empty and name a team"
    )
    team = forms.CharField(max_length=100, required=False, help_text="A team's name, as on the roster")
    daily_limit = forms.IntegerField(min_value=1, max_value=100_000, required=False)
    total_limit = forms.IntegerField(min_value=1, max_value=1_000_000, required=False)
    end_at = forms.DateTimeField(
        required=False,
        label="Own deadline",
        widget=forms.DateTimeInput(attrs={"type": "text", "placeholder": "2026-12-05 17:00"}),
    )
    note = forms.CharField(max_length=300, required=False)

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("username")) == bool(data.get("team")):
            raise forms.ValidationError(
                "Name either a learner (username) or a team, not both and not neither."
            )
        return data


@login_required
@require_http_methods(["GET", "POST"])
def host_labelled(request: HttpRequest) -> HttpResponse:
    """A challenge from one labelled CSV (and its images): the hub holds out the test set and writes the rest."""
    if not user_is_host(request.user):
        raise HostOnly("Only hosts may create challenges. Ask the hub's admin to make you one.")
    form = LabelledForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            upload = data.pop("data")
            try:
                challenge = challenge_create_from_labelled(
                    host=request.user, upload=upload, spec=LabelledSpec(**data)
                )
            except BundleError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"{challenge.title} is a draft: check it, then publish.")
                return redirect("host-challenge", slug=challenge.slug)
        status = 400
    return render(request, "projects/host/labelled.html", {"form": form, "nav": "host"}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def host_home(request: HttpRequest) -> HttpResponse:
    """The challenges this user hosts, and (for hosts) a form to create one from a bundle."""
    may_create = user_is_host(request.user)
    hosted = Challenge.objects.filter(hosts=request.user).order_by("-created_at")
    if not may_create and not hosted.exists():
        raise HostOnly("Only hosts may create challenges. Ask the hub's admin to make you one.")
    form = BundleForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if not may_create:
            raise HostOnly("Only hosts may create challenges. Ask the hub's admin to make you one.")
        if form.is_valid():
            try:
                challenge = challenge_create_from_upload(
                    host=request.user, upload=form.cleaned_data["bundle"]
                )
            except BundleError as error:
                form.add_error("bundle", str(error))
            else:
                messages.success(
                    request, f"{challenge.title} is a draft: only its hosts see it until you publish."
                )
                return redirect("host-challenge", slug=challenge.slug)
        status = 400
    context = {"form": form, "hosted": hosted, "may_create": may_create, "nav": "host"}
    return render(request, "projects/host/home.html", context, status=status)


def _manage_context(
    request: HttpRequest, challenge: Challenge, form: ChallengeEditForm | None = None
) -> dict:
    if form is None:
        addresses = "\n".join(challenge.allowed_emails.values_list("address", flat=True))
        form = ChallengeEditForm(instance=challenge, initial={"allowed_emails": addresses})
    join_url = (
        request.build_absolute_uri(reverse("challenge-join", args=[challenge.slug, challenge.invite_code]))
        if challenge.invite_code
        else None
    )
    overrides = challenge.limit_overrides.select_related("user", "participant").order_by(
        "participant__name", "user__username"
    )
    return {
        "challenge": challenge,
        "form": form,
        "override_form": LimitOverrideForm(prefix="override"),
        "overrides": overrides,
        "join_url": join_url,
        "hosts": list(challenge.hosts.order_by("username")),
        "nav": "host",
        "host_tab": "manage",
        "is_private": challenge.visibility == Visibility.PRIVATE,
    }


@login_required
@require_http_methods(["GET", "POST"])
def host_challenge(request: HttpRequest, slug: str) -> HttpResponse:
    """Manage one challenge. A POST names its `action`: edit, publish, rotate, cohost, reveal or rescore."""
    challenge = challenge_get_hosted(slug=slug, user=request.user)
    if request.method == "GET":
        return render(request, "projects/host/manage.html", _manage_context(request, challenge))
    action = request.POST.get("action")
    if action == "edit":
        form = ChallengeEditForm(request.POST, instance=Challenge.objects.get(pk=challenge.pk))
        if not form.is_valid():
            return render(
                request, "projects/host/manage.html", _manage_context(request, challenge, form), status=400
            )
        values = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS}
        try:
            challenge_allowed_emails_set(
                challenge=challenge, addresses=form.cleaned_data["allowed_emails"].splitlines()
            )
        except HostingError as error:
            form.add_error("allowed_emails", str(error))
            return render(
                request, "projects/host/manage.html", _manage_context(request, challenge, form), status=400
            )
        challenge_update(challenge=challenge, **values)
        messages.success(request, "Saved.")
    elif action == "publish":
        challenge_publish(challenge=challenge)
        messages.success(request, f"{challenge.title} is published ({challenge.get_visibility_display()}).")
    elif action == "rotate":
        challenge_invite_rotate(challenge=challenge)
        messages.success(request, "A new invite link: the old one no longer admits anyone.")
    elif action == "cohost":
        try:
            user = challenge_host_add(challenge=challenge, username=request.POST.get("username", "").strip())
        except HostingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{user.username} now co-hosts {challenge.title}.")
    elif action == "override":
        form = LimitOverrideForm(request.POST, prefix="override")
        if not form.is_valid():
            errors = "; ".join(
                " ".join(e) if name == "__all__" else f"{name}: {' '.join(e)}"
                for name, e in form.errors.items()
            )
            messages.error(request, f"Not saved: {errors}")
        else:
            try:
                override = challenge_limit_override_put(challenge=challenge, **form.cleaned_data)
            except HostingError as error:
                messages.error(request, str(error))
            else:
                who = form.cleaned_data["username"] or f"team {form.cleaned_data['team']}"
                messages.success(
                    request,
                    f"Saved the limits of {who}." if override else f"{who} has the challenge's limits.",
                )
    elif action == "reveal":
        challenge_reveal_private(challenge=challenge)
        messages.success(request, "The private leaderboard is shown to everyone.")
    elif action == "rescore":
        count = submissions_rescore(challenge=challenge)
        messages.success(request, f"{count} submission(s) queued for rescoring.")
    else:
        messages.error(request, "Unknown action: use the buttons on this page.")
    return redirect("host-challenge", slug=challenge.slug)


@login_required
@require_GET
def host_roster(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = challenge_get_hosted(slug=slug, user=request.user)
    context = {
        "challenge": challenge,
        "rows": challenge_roster(challenge=challenge, host=request.user),
        "nav": "host",
    }
    return render(request, "projects/host/roster.html", context | {"host_tab": "roster"})


@login_required
@require_GET
def host_submissions(request: HttpRequest, slug: str) -> HttpResponse:
    """Every submission, with its error and (for the hosts) what kept the hub from scoring it; ?user= filters."""
    challenge = challenge_get_hosted(slug=slug, user=request.user)
    submissions = (
        Submission.objects.filter(challenge=challenge).select_related("user").order_by("-created_at", "-pk")
    )
    username = request.GET.get("user", "").strip()
    if username:
        submissions = submissions.filter(user__username=username)
    context = {
        "challenge": challenge,
        "submissions": submissions[:SUBMISSIONS_SHOWN],
        "shown": SUBMISSIONS_SHOWN,
        "username": username,
        "nav": "host",
        "host_tab": "submissions",
    }
    return render(request, "projects/host/submissions.html", context)


def _hosted_submission(request: HttpRequest, slug: str, submission_id: int) -> Submission:
    challenge = challenge_get_hosted(slug=slug, user=request.user)
    submission = (
        Submission.objects.filter(challenge=challenge, pk=submission_id).select_related("user").first()
    )
    if submission is None:
        raise Http404(f"{challenge.title} has no submission {submission_id}.")
    return submission


@login_required
@require_POST
def host_submission_disqualify(request: HttpRequest, slug: str, submission_id: int) -> HttpResponse:
    submission = _hosted_submission(request, slug, submission_id)
    disqualified = request.POST.get("disqualified") != "0"
    submission_set_disqualified(submission=submission, disqualified=disqualified)
    done = "disqualified" if disqualified else "counts again"
    messages.success(request, f"Submission {submission.pk} of {submission.author_name} {done}.")
    shown = f"?user={submission.user.username}" if submission.user_id is not None else ""
    return redirect(reverse("host-submissions", args=[slug]) + shown)


@login_required
@require_safe
def host_submission_file(request: HttpRequest, slug: str, submission_id: int) -> HttpResponse:
    """The file a participant submitted, as they uploaded it (a CSV, or the gzip or zip of one)."""
    submission = _hosted_submission(request, slug, submission_id)
    return file_response(
        request,
        lambda: submission.file.open("rb"),
        size=submission.size,
        sha256=submission.sha256,
        last_modified=submission.created_at,
        filename=f"{submission.user.username if submission.user_id else 'deleted'}-{submission.pk}-"
        f"{submission.original_name}",
    )
