"""REST API: two of your submissions compared."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import APIException
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.schema import ErrorSerializer, error_responses

from .selectors import CompareRefused, submission_compare
from .serializers import CompareSerializer


class NotComparable(APIException):
    status_code = 409
    default_code = "not_comparable"


class SubmissionCompareApi(APIView):
    """How your Public predictions changed from one of your submissions to another: rows that changed label (and
    the flows between labels), rows that became right or wrong, and the score difference. Only your own
    submissions (404 otherwise), both scored and to the same challenge (409 otherwise)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: CompareSerializer,
            **error_responses(404),
            409: OpenApiResponse(
                ErrorSerializer, description="Not scored, the same one, or another challenge."
            ),
        }
    )
    def get(self, request: Request, submission_id: int, other_id: int) -> Response:
        try:
            comparison = submission_compare(submission_id=submission_id, other_id=other_id, user=request.user)
        except CompareRefused as error:
            raise NotComparable(error.message) from None
        return Response(CompareSerializer(comparison).data)
