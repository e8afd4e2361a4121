"""Data only, in a migration of its own: on PostgreSQL a schema change in the same transaction as these updates
fails with "pending trigger events"."""

from django.db import migrations

import submissions.models


def every_participant_a_team_of_one(apps, schema_editor):
    """Each learner who entered a challenge before teams is a team of one: a member row, an invite code, and
    their submissions counted for that team."""
    Participant = apps.get_model("submissions", "Participant")
    TeamMember = apps.get_model("submissions", "TeamMember")
    Submission = apps.get_model("submissions", "Submission")
    for participant in Participant.objects.iterator():
        participant.invite_code = submissions.models.new_invite_code()
        participant.save(update_fields=["invite_code"])
        TeamMember.objects.create(
            challenge_id=participant.challenge_id,
            user_id=participant.user_id,
            participant=participant,
            joined_at=participant.created_at,
        )
        Submission.objects.filter(
            challenge_id=participant.challenge_id, user_id=participant.user_id, participant__isnull=True
        ).update(participant=participant)


def entries_of_teams(apps, schema_editor):
    """Every entry so far is a learner's: it ranks their team of one (0004 made one for each learner)."""
    LeaderboardEntry = apps.get_model("submissions", "LeaderboardEntry")
    Participant = apps.get_model("submissions", "Participant")
    TopScoreChange = apps.get_model("submissions", "TopScoreChange")
    teams = {
        (challenge_id, user_id): pk
        for pk, challenge_id, user_id in Participant.objects.values_list("pk", "challenge_id", "user_id")
    }
    for entry in LeaderboardEntry.objects.iterator():
        team_id = teams.get((entry.challenge_id, entry.user_id))
        if team_id is None:
            entry.delete()  # no participant row: nothing could keep it current; a rebuild recomputes the board
        else:
            LeaderboardEntry.objects.filter(pk=entry.pk).update(participant_id=team_id)
    for change in TopScoreChange.objects.exclude(user_id=None).iterator():
        TopScoreChange.objects.filter(pk=change.pk).update(
            participant_id=teams.get((change.challenge_id, change.user_id))
        )


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0005_teams"),
    ]

    operations = [
        migrations.RunPython(every_participant_a_team_of_one, migrations.RunPython.noop),
        migrations.RunPython(entries_of_teams, migrations.RunPython.noop),
    ]
