"""A challenge from a form, for hosts: the texts (Markdown, with a live preview rendered by the server through the
filter the challenge pages use), the scoring settings, dates and limits, the public files and the hidden solution.

The form is only the input: projects.hosting.challenge_create_from_form writes it as a bundle and imports it, so
the rules are the bundle path's; a BundleError comes back beside the field its `key` names.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST

from workers.scoring import METRICS

from .bundles import LEVELS, BundleError
from .challenge_form import PUBLIC_FILES, FormSpec
from .hosting import challenge_create_from_form
from .models import Visibility
from .selectors import HostOnly, user_is_host

METRIC_CHOICES = [(key, f"{METRICS[key].name} ({key})") for key in sorted(METRICS)]
PREVIEW_FIELDS = {"description": 2, "evaluation": 3}  # the heading level each text starts at on its page
PREVIEW_MAX_CHARS = 200_000


def _markdown_area(name: str, rows: int) -> forms.Textarea:
    """A Markdown text whose preview the server renders as the reader will see it (htmx; no JS of ours)."""
    return forms.Textarea(
        attrs={
            "rows": rows,
            "hx-post": reverse_lazy("host-preview"),
            "hx-trigger": "input changed delay:400ms, load",
            "hx-target": f"#preview-{name}",
            "hx-params": name,  # only the text: never the files of the form around it
            "aria-describedby": f"preview-{name}",
        }
    )


def _date_input(example: str) -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "text", "placeholder": example})


class ChallengeForm(forms.Form):
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(max_length=100, help_text="The challenge's address: /challenges/<slug>/")
    level = forms.ChoiceField(choices=[(level, level.title()) for level in LEVELS], initial="beginner")
    summary = forms.CharField(max_length=300, required=False, help_text="One line for the list of challenges")
    description = forms.CharField(
        max_length=PREVIEW_MAX_CHARS, widget=_markdown_area("description", 10), help_text="Markdown"
    )
    evaluation = forms.CharField(
        max_length=PREVIEW_MAX_CHARS,
        required=False,
        widget=_markdown_area("evaluation", 5),
        help_text="Markdown: how submissions are scored, in your words (the metric's own line is shown too)",
    )
    metric = forms.ChoiceField(choices=METRIC_CHOICES, initial="accuracy")
    id_column = forms.CharField(max_length=100, initial="id")
    target_column = forms.CharField(max_length=100, initial="label", help_text="The column to predict")
    allowed_labels = forms.CharField(
        max_length=20_000,
        required=False,
        help_text="Comma-separated; empty takes any label. A label metric refuses others.",
    )
    positive_label = forms.CharField(
        max_length=100, required=False, help_text="Only for binary metrics (F1, precision, recall, ROC AUC)"
    )
    k = forms.IntegerField(min_value=1, max_value=1000, required=False, help_text="Only for MAP@K")
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.PRIVATE)
    start_at = forms.DateTimeField(
        required=False, label="Start (UTC)", widget=_date_input("2026-09-01 09:00")
    )
    end_at = forms.DateTimeField(required=False, label="End (UTC)", widget=_date_input("2026-12-01 17:00"))
    daily_limit = forms.IntegerField(min_value=1, max_value=100_000, initial=10)
    total_limit = forms.IntegerField(min_value=1, max_value=1_000_000, required=False)
    max_upload_mb = forms.FloatField(
        min_value=0.01, required=False, label="Largest submission (MB)", help_text="Empty: the hub's default"
    )
    train = forms.FileField(required=False, label="Training data (train.csv)")
    test = forms.FileField(label="Test data (test.csv)", help_text="The rows to predict, with the id column")
    sample_submission = forms.FileField(required=False, label="Sample submission")
    solution = forms.FileField(
        label="Hidden solution",
        help_text="A CSV of every test id with its true value and a Usage column (Public or Private), as in a "
        "bundle; checked by the scoring engine on upload and never shown to learners.",
    )
    public_percent = forms.IntegerField(
        min_value=1,
        max_value=100,
        required=False,
        label="Public share (%)",
        help_text="Only if the solution has no Usage column: this share of its rows, chosen at random with "
        "a fixed seed, scores the public board, the rest the private one (left empty, every row is public).",
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_at"), data.get("end_at")
        if start and end and end <= start:
            self.add_error("end_at", "The end must be after the start.")
        metric = METRICS.get(data.get("metric", ""))
        if metric is not None and metric.needs_positive_label and not data.get("positive_label"):
            self.add_error("positive_label", f"{metric.name} needs the label that counts as positive.")
        if metric is not None and metric.needs_k and not data.get("k"):
            self.add_error("k", f"{metric.name} needs K, the number of ranked labels scored.")
        return data

    def spec(self) -> FormSpec:
        data = self.cleaned_data
        labels = [label.strip() for label in data["allowed_labels"].split(",")]
        percent = data["public_percent"]
        return FormSpec(
            slug=data["slug"],
            title=data["title"].strip(),
            level=data["level"],
            summary=data["summary"].strip(),
            description=data["description"],
            evaluation=data["evaluation"],
            metric=data["metric"],
            id_column=data["id_column"].strip(),
            target_column=data["target_column"].strip(),
            allowed_labels=tuple(label for label in labels if label),
            positive_label=data["positive_label"].strip(),
            k=data["k"],
            public_fraction=None if percent is None else percent / 100,
            start_at=data["start_at"],
            end_at=data["end_at"],
            daily_limit=data["daily_limit"],
            total_limit=data["total_limit"],
            max_upload_mb=data["max_upload_mb"],
            visibility=data["visibility"],
        )


# The form's parts, in order; a Markdown field gets its own part, with its preview beside it.
FIELD_GROUPS = (
    ("The challenge", ("title", "slug", "level", "summary", "visibility")),
    ("Description", ("description",)),
    ("Evaluation", ("evaluation",)),
    ("Scoring", ("metric", "id_column", "target_column", "allowed_labels", "positive_label", "k")),
    ("Dates and limits", ("start_at", "end_at", "daily_limit", "total_limit", "max_upload_mb")),
    ("Files", ("train", "test", "sample_submission", "solution", "public_percent")),
)


# A BundleError's challenge.yaml key -> the field of this form it belongs to (others go above the form).
KEY_FIELDS = {"solution": "solution", "slug": "slug", "max_upload_mb": "max_upload_mb"} | {
    name: name for name, _, _ in PUBLIC_FILES
}


def _require_host(request: HttpRequest) -> None:
    if not user_is_host(request.user):
        raise HostOnly("Only hosts may create challenges. Ask the hub's admin to make you one.")


@login_required
@require_http_methods(["GET", "POST"])
def host_new(request: HttpRequest) -> HttpResponse:
    """Create a draft from the form; on any error the form comes back (400) with the reason beside its field."""
    _require_host(request)
    form = ChallengeForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            public_files = {
                name: form.cleaned_data[name] for name, _, _ in PUBLIC_FILES if form.cleaned_data[name]
            }
            try:
                challenge = challenge_create_from_form(
                    host=request.user,
                    spec=form.spec(),
                    public_files=public_files,
                    solution=form.cleaned_data["solution"],
                )
            except BundleError as error:
                field = KEY_FIELDS.get(error.key or "")
                message = str(error)
                if error.key == "slug":
                    message = f"The address '{form.cleaned_data['slug']}' is taken: choose another slug."
                form.add_error(field, message)
            else:
                messages.success(
                    request, f"{challenge.title} is a draft: only its hosts see it until you publish."
                )
                return redirect("host-challenge", slug=challenge.slug)
        status = 400
    groups = [
        {"legend": legend, "fields": [form[name] for name in names], "preview": names[0] in PREVIEW_FIELDS}
        for legend, names in FIELD_GROUPS
    ]
    context = {"form": form, "groups": groups, "nav": "host"}
    return render(request, "projects/host/new.html", context, status=status)


@login_required
@require_POST
def host_preview(request: HttpRequest) -> HttpResponse:
    """A Markdown text (`description` or `evaluation`) as its challenge page will show it: the same filter, so the
    same sanitising. Hosts only; it reads no challenge and stores nothing."""
    _require_host(request)
    name = next((name for name in PREVIEW_FIELDS if name in request.POST), None)
    if name is None:
        return HttpResponse("Send description or evaluation, the Markdown to preview.", status=400)
    text = request.POST[name][:PREVIEW_MAX_CHARS]
    context = {"text": text, "top_level": PREVIEW_FIELDS[name]}
    return render(request, "projects/host/_markdown_preview.html", context)
