"""URLs of the EvalAI and Kaggle CLIs, exactly as each client builds them."""

from django.urls import URLPattern, path, re_path

from . import evalai, kaggle, kaggle_datasets


def _with_or_without_slash(route: str, view, name: str) -> list[URLPattern]:
    # The EvalAI CLI leaves the trailing slash off several paths; answering both spares it a redirect.
    route = route.rstrip("/")
    return [path(route, view, name=name), path(route + "/", view)]


evalai_urls = [
    *_with_or_without_slash(
        "api/challenges/challenge/<int:challenge_id>",
        evalai.ChallengeDetailApi.as_view(),
        "evalai-challenge-detail",
    ),
    *_with_or_without_slash(
        "api/challenges/challenge/<int:challenge_id>/challenge_phase",
        evalai.PhaseListApi.as_view(),
        "evalai-phase-list",
    ),
    *_with_or_without_slash(
        "api/challenges/challenge/<int:challenge_id>/challenge_phase/<int:phase_id>",
        evalai.PhaseDetailApi.as_view(),
        "evalai-phase-detail",
    ),
    *_with_or_without_slash(
        "api/challenges/<int:challenge_id>/challenge_phase_split",
        evalai.PhaseSplitListApi.as_view(),
        "evalai-phase-split-list",
    ),
    *_with_or_without_slash(
        "api/jobs/challenge/<int:challenge_id>/challenge_phase/<int:phase_id>/submission/",
        evalai.SubmissionListCreateApi.as_view(),
        "evalai-submissions",
    ),
    *_with_or_without_slash(
        "api/jobs/submission/<int:submission_id>",
        evalai.SubmissionDetailApi.as_view(),
        "evalai-submission-detail",
    ),
    *_with_or_without_slash(
        "api/jobs/challenge_phase_split/<int:phase_split_id>/leaderboard/",
        evalai.LeaderboardApi.as_view(),
        "evalai-leaderboard",
    ),
    *_with_or_without_slash(
        "api/participants/participant_team",
        evalai.ParticipantTeamListApi.as_view(),
        "evalai-participant-teams",
    ),
    # Last: its three free segments would also match the phase paths above.
    *_with_or_without_slash(
        "api/challenges/challenge/<str:time>/<str:approved>/<str:public>",
        evalai.ChallengeListApi.as_view(),
        "evalai-challenge-list",
    ),
    path("compat/evalai/results/<str:token>", evalai.ResultFileApi.as_view(), name="evalai-result-file"),
]

kaggle_urls = [
    *(
        path(f"api/v1/{service}/{method}", view.as_view(), name=f"kaggle-{method}")
        for (service, method), view in kaggle.METHODS.items()
    ),
    *(
        path(f"api/v1/{service}/{method}", view.as_view(), name=f"kaggle-{method}")
        for (service, method), view in kaggle_datasets.METHODS.items()
    ),
    # Any other method of the Kaggle API (the dotted service name keeps the hub's own /api/v1/ paths apart).
    re_path(
        r"^api/v1/(?P<service>[a-z]+\.[A-Za-z]+Service)/(?P<method>[A-Za-z]+)$",
        kaggle.unknown_method,
        name="kaggle-unknown-method",
    ),
    path("compat/kaggle/uploads/<str:token>", kaggle.upload, name="kaggle-upload"),
    path(
        "compat/kaggle/dataset-downloads/<str:token>/<str:name>",
        kaggle_datasets.dataset_download,
        name="kaggle-dataset-download",
    ),
    path(
        "compat/kaggle/dataset-uploads/<str:token>",
        kaggle_datasets.dataset_upload,
        name="kaggle-dataset-upload",
    ),
]

urlpatterns = evalai_urls + kaggle_urls
