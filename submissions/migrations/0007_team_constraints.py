import django.db.models.deletion
from django.db import migrations, models

import submissions.models


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0006_teams_backfill"),
    ]

    operations = [
        migrations.AlterField(
            model_name="participant",
            name="invite_code",
            field=models.CharField(default=submissions.models.new_invite_code, max_length=32, unique=True),
        ),
        migrations.AlterField(
            model_name="leaderboardentry",
            name="participant",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="leaderboard_entries",
                to="submissions.participant",
            ),
        ),
        migrations.RemoveConstraint(model_name="leaderboardentry", name="leaderboard_entry_unique"),
        migrations.AddConstraint(
            model_name="leaderboardentry",
            constraint=models.UniqueConstraint(
                fields=("challenge", "split", "participant"), name="leaderboard_entry_unique_team"
            ),
        ),
    ]
