"""PostgreSQL restarts while workers score: they reconnect and carry on, and no row is marked scored without its
score. The database is a private cluster this test starts and restarts; the broker a private Redis."""

import subprocess
import sys

import psycopg
import pytest

from tests.faults import audit as outcome_audit
from tests.faults.helpers import stored_outcomes
from tests.processes import child_env, wait_for

pytestmark = [pytest.mark.slow]


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], env=env, check=True, capture_output=True, timeout=180
    )


def _statuses(url: str) -> dict[str, int] | None:
    try:
        with psycopg.connect(url, connect_timeout=2) as connection:
            rows = connection.execute("SELECT status, count(*) FROM submissions_submission GROUP BY status")
            return dict(rows.fetchall())
    except psycopg.OperationalError:
        return None  # restarting


def test_workers_reconnect_after_a_database_restart_and_every_submission_is_scored_once(
    private_postgres, fault_env, delay_file, start_worker, tmp_path
):
    url = private_postgres.url.replace("postgres://", "postgresql://")
    env = child_env(**fault_env, DATABASE_URL=private_postgres.url)
    _manage(env, "migrate", "--no-input")
    with psycopg.connect(url, autocommit=True) as connection:
        outcome_audit.install(connection.cursor(), "postgresql")
    delay_file.write_text("0.3")
    workers = [
        start_worker("sweeping", beat=True, DATABASE_URL=private_postgres.url),
        start_worker("plain", DATABASE_URL=private_postgres.url),
    ]
    code = (
        f"from tests.faults.seed import seed; seed(folder={str(tmp_path / 'bundle')!r}, learners=4, each=5)"
    )
    _manage(env, "shell", "-c", code)

    wait_for(lambda: (_statuses(url) or {}).get("scored", 0) >= 3, timeout=60, message="a few scores")
    private_postgres.restart()
    wait_for(lambda: _statuses(url) == {"scored": 20}, timeout=120, interval=0.5, message="all 20 scored")

    with psycopg.connect(url) as connection:
        ids = [row[0] for row in connection.execute("SELECT id FROM submissions_submission")]
        unscored = connection.execute(
            "SELECT count(*) FROM submissions_submission "
            "WHERE status = 'scored' AND (public_score IS NULL OR private_score IS NULL)"
        ).fetchone()[0]
        entries = connection.execute("SELECT count(*) FROM submissions_leaderboardentry").fetchone()[0]
        audited = outcome_audit.outcomes(connection.cursor())
    assert unscored == 0
    assert entries == 4 * 2  # each learner's public and private entry
    logs = [w.output() for w in workers]
    assert any("OperationalError" in log or "InterfaceError" in log for log in logs), (
        "the restart hit no task"
    )
    assert audited == stored_outcomes(logs) == {(i, "scored"): 1 for i in ids}
