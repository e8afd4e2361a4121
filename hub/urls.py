from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import api as accounts_api
from community import api as community_api
from community import notifications_api
from learning import api as learning_api
from learning import views as learning_views
from projects import api as projects_api
from projects import dataset_api, dataset_views, host_form_views, host_views
from projects import views as projects_views
from submissions import api as submissions_api
from submissions import host_api, team_api, team_views
from submissions import views as submissions_views
from submissions.insight import api as insight_api
from submissions.insight import views as insight_views

from . import api_errors
from . import metrics as hub_metrics
from . import views as hub_views
from .throttling import SIGN_IN_SCOPE, rate_limited_by_address

api_v1 = [
    path("auth/token/", accounts_api.TokenApi.as_view(), name="api-token"),
    path("me/", accounts_api.MeApi.as_view(), name="api-me"),
    path("me/progress/", learning_api.MyProgressApi.as_view(), name="api-my-progress"),
    path("tracks/", learning_api.TrackListApi.as_view(), name="api-track-list"),
    path("challenges/", projects_api.ChallengeListCreateApi.as_view(), name="api-challenge-list"),
    path(
        "labelled-challenges/",
        projects_api.ChallengeFromLabelledDataApi.as_view(),
        name="api-challenge-from-labelled-data",
    ),
    path(
        "challenges/<slug:slug>/",
        projects_api.ChallengeDetailUpdateApi.as_view(),
        name="api-challenge-detail",
    ),
    path(
        "challenges/<slug:slug>/publish/",
        projects_api.ChallengePublishApi.as_view(),
        name="api-challenge-publish",
    ),
    path("challenges/<slug:slug>/join/", projects_api.ChallengeJoinApi.as_view(), name="api-challenge-join"),
    path(
        "challenges/<slug:slug>/invite-code/",
        projects_api.ChallengeInviteCodeApi.as_view(),
        name="api-challenge-invite-code",
    ),
    path("challenges/<slug:slug>/gradebook/", host_api.GradebookApi.as_view(), name="api-gradebook"),
    path(
        "challenges/<slug:slug>/gradebook.csv", host_api.GradebookCsvApi.as_view(), name="api-gradebook-csv"
    ),
    path(
        "challenges/<slug:slug>/hosts/", projects_api.ChallengeHostsApi.as_view(), name="api-challenge-hosts"
    ),
    path("challenges/<slug:slug>/files/", projects_api.DataFileListApi.as_view(), name="api-data-file-list"),
    path(
        "challenges/<slug:slug>/submissions/",
        submissions_api.ChallengeSubmissionsApi.as_view(),
        name="api-challenge-submissions",
    ),
    path("challenges/<slug:slug>/limits/", submissions_api.LimitsApi.as_view(), name="api-limits"),
    path(
        "challenges/<slug:slug>/limits/overrides/",
        projects_api.LimitOverridesApi.as_view(),
        name="api-limit-overrides",
    ),
    path(
        "challenges/<slug:slug>/leaderboard/",
        submissions_api.LeaderboardApi.as_view(),
        name="api-leaderboard",
    ),
    path(
        "challenges/<slug:slug>/leaderboard/me/",
        submissions_api.LeaderboardMeApi.as_view(),
        name="api-leaderboard-me",
    ),
    path(
        "submissions/<int:submission_id>/",
        submissions_api.SubmissionDetailApi.as_view(),
        name="api-submission-detail",
    ),
    path(
        "submissions/<int:submission_id>/compare/<int:other_id>/",
        insight_api.SubmissionCompareApi.as_view(),
        name="api-submission-compare",
    ),
    path(
        "submissions/<int:submission_id>/final/",
        submissions_api.SubmissionFinalApi.as_view(),
        name="api-submission-final",
    ),
    path(
        "challenges/<slug:slug>/leaderboard/csv/",
        submissions_api.LeaderboardCsvApi.as_view(),
        name="api-leaderboard-csv",
    ),
    path(
        "challenges/<slug:slug>/leaderboard/history/",
        submissions_api.LeaderboardHistoryApi.as_view(),
        name="api-leaderboard-history",
    ),
    path("challenges/<slug:slug>/team/", team_api.TeamApi.as_view(), name="api-team"),
    path("challenges/<slug:slug>/team/join/", team_api.TeamJoinApi.as_view(), name="api-team-join"),
    path("challenges/<slug:slug>/team/leave/", team_api.TeamLeaveApi.as_view(), name="api-team-leave"),
    path(
        "challenges/<slug:slug>/team/invite/rotate/",
        team_api.TeamInviteRotateApi.as_view(),
        name="api-team-invite-rotate",
    ),
    path("challenges/<slug:slug>/team/leader/", team_api.TeamLeaderApi.as_view(), name="api-team-leader"),
    path(
        "challenges/<slug:slug>/team/members/<int:user_id>/remove/",
        team_api.TeamMemberRemoveApi.as_view(),
        name="api-team-member-remove",
    ),
    path(
        "challenges/<slug:slug>/team/merge-requests/",
        team_api.TeamMergeRequestsApi.as_view(),
        name="api-team-merge-requests",
    ),
    path(
        "challenges/<slug:slug>/team/merge-requests/<int:request_id>/accept/",
        team_api.TeamMergeAcceptApi.as_view(),
        name="api-team-merge-accept",
    ),
    path(
        "challenges/<slug:slug>/team/merge-requests/<int:request_id>/decline/",
        team_api.TeamMergeDeclineApi.as_view(),
        name="api-team-merge-decline",
    ),
    path("challenges/<slug:slug>/topics/", community_api.TopicListApi.as_view(), name="api-topic-list"),
    path("topics/<int:topic_id>/", community_api.TopicDetailApi.as_view(), name="api-topic-detail"),
    path("topics/<int:topic_id>/posts/", community_api.TopicPostsApi.as_view(), name="api-topic-posts"),
    path("posts/<int:post_id>/", community_api.PostDetailApi.as_view(), name="api-post-detail"),
    path("datasets/", dataset_api.DatasetListApi.as_view(), name="api-dataset-list"),
    path(
        "datasets/<str:owner>/<slug:dataset_slug>/",
        dataset_api.DatasetDetailApi.as_view(),
        name="api-dataset-detail",
    ),
    path(
        "datasets/<str:owner>/<slug:dataset_slug>/versions/",
        dataset_api.DatasetVersionCreateApi.as_view(),
        name="api-dataset-versions",
    ),
    path(
        "datasets/<str:owner>/<slug:dataset_slug>/versions/<int:number>/files/",
        dataset_api.DatasetVersionFilesApi.as_view(),
        name="api-dataset-version-files",
    ),
    path(
        "datasets/<str:owner>/<slug:dataset_slug>/download/",
        dataset_api.DatasetDownloadApi.as_view(),
        name="api-dataset-download",
    ),
    path("notifications/", notifications_api.NotificationListApi.as_view(), name="api-notifications"),
    path(
        "notifications/read/", notifications_api.NotificationReadApi.as_view(), name="api-notifications-read"
    ),
]

urlpatterns = [
    path("", hub_views.home, name="home"),
    path("healthz", hub_views.healthz, name="healthz"),
    path("metrics", hub_metrics.metrics, name="metrics"),
    # Sign-up, sign-in, the profile and its token, password change and reset, the e-mail address.
    path("accounts/", include("accounts.urls")),
    path("challenges/", projects_views.challenge_list, name="challenge-list"),
    path("tracks/", learning_views.track_list, name="track-list"),
    path("tracks/<slug:slug>/", learning_views.track_detail, name="track-detail"),
    # Usernames may hold a slash (Django allows few limits on them): the path converter takes it.
    path("users/<path:username>/", learning_views.public_profile, name="public-profile"),
    path("challenges/<slug:slug>/", projects_views.challenge_overview, name="challenge-detail"),
    path("challenges/<slug:slug>/data/", projects_views.challenge_data, name="challenge-data"),
    path(
        "challenges/<slug:slug>/evaluation/", projects_views.challenge_evaluation, name="challenge-evaluation"
    ),
    path(
        "challenges/<slug:slug>/starter-kit/",
        projects_views.challenge_starter_kit,
        name="challenge-starter-kit",
    ),
    path(
        "challenges/<slug:slug>/starter-kit/download/",
        projects_views.challenge_starter_kit_download,
        name="challenge-starter-kit-download",
    ),
    path(
        "challenges/<slug:slug>/files/<str:name>",
        projects_views.data_file_download,
        name="data-file-download",
    ),
    path(
        "challenges/<slug:slug>/files/<str:name>/images/<int:index>",
        projects_views.data_file_image,
        name="data-file-image",
    ),
    path("challenges/<slug:slug>/data.zip", projects_views.challenge_data_zip, name="challenge-data-zip"),
    path(
        "challenges/<slug:slug>/join/<str:code>/", projects_views.challenge_join_page, name="challenge-join"
    ),
    path("challenges/<slug:slug>/leaderboard/", submissions_views.leaderboard, name="challenge-leaderboard"),
    path(
        "challenges/<slug:slug>/leaderboard/board/",
        submissions_views.leaderboard_board,
        name="challenge-leaderboard-board",
    ),
    path(
        "challenges/<slug:slug>/submissions/", submissions_views.my_submissions, name="challenge-submissions"
    ),
    path(
        "challenges/<slug:slug>/submissions/table/",
        submissions_views.my_submissions_table,
        name="challenge-submissions-table",
    ),
    path("challenges/<slug:slug>/submit/", submissions_views.submit, name="challenge-submit"),
    path("challenges/<slug:slug>/team/", team_views.team_tab, name="challenge-team"),
    path("challenges/<slug:slug>/team/action/", team_views.team_action, name="challenge-team-action"),
    path(
        "challenges/<slug:slug>/team/join/<str:code>/", team_views.team_join_page, name="challenge-team-join"
    ),
    path("challenges/<slug:slug>/teams/<int:team_id>/", team_views.team_page, name="challenge-team-detail"),
    path("submissions/<int:submission_id>/", submissions_views.submission_detail, name="submission-detail"),
    path(
        "submissions/<int:submission_id>/compare/",
        insight_views.submission_compare_page,
        name="submission-compare",
    ),
    path(
        "submissions/<int:submission_id>/final/", submissions_views.submission_final, name="submission-final"
    ),
    path(
        "submissions/<int:submission_id>/status/",
        submissions_views.submission_status,
        name="submission-status",
    ),
    path("", include("community.urls")),
    path("host/", host_views.host_home, name="host-home"),
    path("host/labelled/", host_views.host_labelled, name="host-labelled"),
    path("host/new/", host_form_views.host_new, name="host-new"),
    path("host/preview/", host_form_views.host_preview, name="host-preview"),
    path("host/challenges/<slug:slug>/", host_views.host_challenge, name="host-challenge"),
    path("host/challenges/<slug:slug>/roster/", host_views.host_roster, name="host-roster"),
    path("host/challenges/<slug:slug>/submissions/", host_views.host_submissions, name="host-submissions"),
    path(
        "host/challenges/<slug:slug>/submissions/<int:submission_id>/file",
        host_views.host_submission_file,
        name="host-submission-file",
    ),
    path(
        "host/challenges/<slug:slug>/submissions/<int:submission_id>/disqualify/",
        host_views.host_submission_disqualify,
        name="host-submission-disqualify",
    ),
    path("datasets/", dataset_views.dataset_list, name="dataset-list"),
    path("datasets/new/", dataset_views.dataset_new, name="dataset-new"),
    path("datasets/<str:owner>/<slug:dataset_slug>/", dataset_views.dataset_detail, name="dataset-detail"),
    path(
        "datasets/<str:owner>/<slug:dataset_slug>/new-version/",
        dataset_views.dataset_new_version,
        name="dataset-new-version",
    ),
    path(
        "datasets/<str:owner>/<slug:dataset_slug>/report/",
        dataset_views.dataset_report_page,
        name="dataset-report",
    ),
    path(
        "datasets/<str:owner>/<slug:dataset_slug>/versions/<int:number>/files/<str:name>",
        dataset_views.dataset_file_download,
        name="dataset-file-download",
    ),
    path(
        "datasets/<str:owner>/<slug:dataset_slug>/versions/<int:number>/files/<str:name>/images/<int:index>",
        dataset_views.dataset_file_image,
        name="dataset-file-image",
    ),
    path(
        "datasets/<str:owner>/<slug:dataset_slug>/versions/<int:number>/download.zip",
        dataset_views.dataset_zip_download,
        name="dataset-zip-download",
    ),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", template_name="hub/swagger_ui.html"),
        name="api-docs",
    ),
    # The EvalAI and Kaggle command-line clients, on their own paths under /api/: before the catch-all below.
    path("", include("compat.urls")),
    re_path(r"^api/(?P<path>[\s\S]*)$", api_errors.api_not_found),
    # The admin's own sign-in form, limited per address like the hub's (hub/throttling.py).
    path("admin/login/", rate_limited_by_address(SIGN_IN_SCOPE)(admin.site.login)),
    path("admin/", admin.site.urls),
]

# https://docs.djangoproject.com/en/5.2/ref/urls/#handler500
# Uncaught errors in each protocol's shape: 503 with Retry-After while the database is down, else 500.
handler500 = "hub.server_errors.server_error"
