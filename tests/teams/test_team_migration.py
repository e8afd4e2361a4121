"""The migrations to teams keep a hub's data: every learner who entered a challenge becomes a team of one with
a member row and an invite code, their submissions count for it, and their leaderboard entries rank it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = [pytest.mark.slow]

BEFORE = [
    ("projects", "0011_limit_overrides"),
    ("submissions", "0004_insight"),
]
AFTER = [("projects", "0012_team_settings"), ("submissions", "0007_team_constraints")]


def test_learners_before_teams_become_teams_of_one(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("auth", "User")
    Dataset, Challenge = old.get_model("projects", "Dataset"), old.get_model("projects", "Challenge")
    Participant, Submission = (
        old.get_model("submissions", "Participant"),
        old.get_model("submissions", "Submission"),
    )
    LeaderboardEntry = old.get_model("submissions", "LeaderboardEntry")
    now = timezone.now()
    challenge = Challenge.objects.create(
        slug="old",
        title="Old",
        dataset=Dataset.objects.create(slug="d", title="D", owner=User.objects.create(username="host")),
        metric="accuracy",
        id_column="id",
        target_column="y",
        solution_id_column="id",
        solution_target_column="y",
    )
    learners = [User.objects.create(username=name) for name in ("ada", "ben")]
    for n, learner in enumerate(learners):
        Participant.objects.create(challenge=challenge, user=learner)
        submission = Submission.objects.create(
            uuid=f"00000000-0000-0000-0000-00000000000{n}",
            challenge=challenge,
            user=learner,
            original_name="a.csv",
            size=1,
            sha256="0" * 64,
            status="scored",
            public_score=0.5 + n / 10,
        )
        LeaderboardEntry.objects.create(
            challenge=challenge,
            user=learner,
            split="public",
            submission=submission,
            score=0.5,
            sort_score=0.5,
            submitted_at=now,
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Participant, TeamMember = (
        new.get_model("submissions", "Participant"),
        new.get_model("submissions", "TeamMember"),
    )
    Submission, LeaderboardEntry = (
        new.get_model("submissions", "Submission"),
        new.get_model("submissions", "LeaderboardEntry"),
    )
    teams = {p.user_id: p for p in Participant.objects.all()}
    assert len({p.invite_code for p in teams.values()}) == 2 and all(p.invite_code for p in teams.values())
    assert sorted(TeamMember.objects.values_list("user_id", "participant_id")) == sorted(
        (user_id, team.pk) for user_id, team in teams.items()
    )
    assert sorted(Submission.objects.values_list("user_id", "participant_id")) == sorted(
        (user_id, team.pk) for user_id, team in teams.items()
    )
    assert sorted(LeaderboardEntry.objects.values_list("user_id", "participant_id")) == sorted(
        (user_id, team.pk) for user_id, team in teams.items()
    )
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the newest, for the tests after this one
