"""REST API for a challenge's hosts: the gradebook, as JSON and as a CSV for a spreadsheet."""

from django.http import StreamingHttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.schema import error_responses
from projects.selectors import challenge_get_hosted

from .roster import challenge_roster, gradebook_csv


class GradebookRowSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()
    team = serializers.CharField(help_text="Empty while the hub has no teams")
    joined_at = serializers.DateTimeField(allow_null=True, help_text="When they joined a private challenge")
    joined_via = serializers.CharField(help_text="invite, email, host; empty if they never had to join")
    submissions = serializers.IntegerField(help_text="Counted against the limits (failed ones are not)")
    failed = serializers.IntegerField()
    best_public = serializers.FloatField(allow_null=True)
    best_private = serializers.FloatField(allow_null=True, help_text="Shown to hosts before it is revealed")
    public_rank = serializers.IntegerField(allow_null=True)
    private_rank = serializers.IntegerField(allow_null=True)
    final_submission_ids = serializers.ListField(child=serializers.IntegerField())
    is_disqualified = serializers.BooleanField()
    last_submitted_at = serializers.DateTimeField(allow_null=True)
    daily_limit = serializers.IntegerField(
        allow_null=True, help_text="Their own daily limit, if a host set one"
    )
    deadline = serializers.DateTimeField(
        allow_null=True, help_text="Their own deadline, if a host extended it"
    )
    late_submissions = serializers.IntegerField(
        help_text="Made after the challenge's end, under their deadline"
    )
    note = serializers.CharField(help_text="The host's note on their limits or deadline")


class GradebookSerializer(serializers.Serializer):
    challenge = serializers.CharField()
    count = serializers.IntegerField()
    results = GradebookRowSerializer(many=True)


class GradebookApi(APIView):
    """Hosts only: one row per learner (admitted or submitted), best public rank first. 404 to whoever cannot
    see the challenge, 403 to a learner who can."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: GradebookSerializer, **error_responses(403, 404)})
    def get(self, request: Request, slug: str) -> Response:
        challenge = challenge_get_hosted(slug=slug, user=request.user)
        rows = challenge_roster(challenge=challenge, host=request.user)
        return Response(
            {
                "challenge": challenge.slug,
                "count": len(rows),
                "results": GradebookRowSerializer(rows, many=True).data,
            }
        )


class GradebookCsvApi(APIView):
    """Hosts only: the gradebook as CSV; cells a spreadsheet would run as formulas start with an apostrophe."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "text/csv"): str, **error_responses(403, 404)})
    def get(self, request: Request, slug: str) -> StreamingHttpResponse:
        challenge = challenge_get_hosted(slug=slug, user=request.user)
        response = StreamingHttpResponse(
            gradebook_csv(challenge_roster(challenge=challenge, host=request.user)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{challenge.slug}-gradebook.csv"'
        return response
