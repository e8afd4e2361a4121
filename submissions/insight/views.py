"""The insight on a submission's page, and the page comparing two of a learner's submissions."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from projects.views import challenge_context
from submissions.models import Submission
from submissions.selectors import submission_get_visible

from .charts import calibration_svg, confusion_heatmap_svg, histogram_svg
from .selectors import CompareRefused, submission_compare, submission_insight


def insight_context(submission: Submission) -> dict:
    """The insight of a scored submission and its pictures, for the submission's page."""
    insight = submission_insight(submission)
    if not insight:
        return {"insight": None}
    charts = {}
    if insight.get("confusion_matrix"):
        charts["heatmap"] = confusion_heatmap_svg(insight["labels"], insight["confusion_matrix"])
    if insight.get("residuals"):
        residuals = insight["residuals"]
        charts["histogram"] = histogram_svg(
            residuals["edges"],
            residuals["counts"],
            title="Residuals (prediction minus truth) on the Public rows",
            x_label="prediction minus truth",
        )
    if insight.get("calibration"):
        calibration = insight["calibration"]
        charts["calibration"] = calibration_svg(calibration["bins"], of=calibration["of"])
    # The charts escape every text they hold (submissions/insight/charts.py).
    return {"insight": insight, "insight_charts": {key: mark_safe(svg) for key, svg in charts.items() if svg}}


def _comparable(submission: Submission) -> list[Submission]:
    return list(
        Submission.objects.filter(
            challenge_id=submission.challenge_id, user_id=submission.user_id, status=Submission.Status.SCORED
        )
        .exclude(pk=submission.pk)
        .only("pk", "public_score", "created_at", "original_name", "description")[:200]
    )


@login_required
@require_GET
def submission_compare_page(request: HttpRequest, submission_id: int) -> HttpResponse:
    """?with=<id> picks the other submission; without it, the page offers the learner's other scored ones."""
    submission = submission_get_visible(submission_id=submission_id, user=request.user)
    context = challenge_context(submission.challenge, "submissions") | {
        "submission": submission,
        "choices": _comparable(submission) if submission.user_id == request.user.pk else [],
        "comparison": None,
        "refusal": None,
    }
    other = request.GET.get("with", "")
    status = 200
    if other:
        if not (other.isascii() and other.isdigit() and len(other) <= 19):
            context["refusal"] = f"with={other!r} is not a submission number; pick one from the list."
            status = 400
        else:
            try:
                context["comparison"] = submission_compare(
                    submission_id=submission.pk, other_id=int(other), user=request.user
                )
            except CompareRefused as error:
                context["refusal"] = error.message
                status = 409
    return render(request, "submissions/compare.html", context, status=status)
