"""An audit of stored outcomes kept by the database itself: a trigger records every change of a submission's
status to scored or failed, in the same transaction as the change. Counting its rows proves "stored exactly once"
without trusting the application, its logs, or a worker that may die between a commit and a log line.

Used by the fault tests and bench/soak.py; never installed in a real hub.
"""

from __future__ import annotations

from collections import Counter

TABLE = "fault_audit_outcome"

_INSTALL = {
    "sqlite": [
        f"CREATE TABLE IF NOT EXISTS {TABLE} (submission_id integer NOT NULL, status text NOT NULL)",
        f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_record AFTER UPDATE OF status ON submissions_submission
        WHEN NEW.status IN ('scored', 'failed') AND OLD.status <> NEW.status
        BEGIN INSERT INTO {TABLE} (submission_id, status) VALUES (NEW.id, NEW.status); END""",
    ],
    "postgresql": [
        f"CREATE TABLE IF NOT EXISTS {TABLE} (submission_id bigint NOT NULL, status varchar(10) NOT NULL)",
        f"""CREATE OR REPLACE FUNCTION {TABLE}_record() RETURNS trigger AS $$
        BEGIN
            IF NEW.status IN ('scored', 'failed') AND OLD.status IS DISTINCT FROM NEW.status THEN
                INSERT INTO {TABLE} (submission_id, status) VALUES (NEW.id, NEW.status);
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql""",
        f"DROP TRIGGER IF EXISTS {TABLE}_record ON submissions_submission",
        f"""CREATE TRIGGER {TABLE}_record AFTER UPDATE ON submissions_submission
        FOR EACH ROW EXECUTE FUNCTION {TABLE}_record()""",
    ],
}

_REMOVE = {
    "sqlite": [f"DROP TRIGGER IF EXISTS {TABLE}_record", f"DROP TABLE IF EXISTS {TABLE}"],
    "postgresql": [
        f"DROP TRIGGER IF EXISTS {TABLE}_record ON submissions_submission",
        f"DROP FUNCTION IF EXISTS {TABLE}_record()",
        f"DROP TABLE IF EXISTS {TABLE}",
    ],
}


def install(cursor, vendor: str) -> None:
    for statement in _INSTALL[vendor]:
        cursor.execute(statement)


def remove(cursor, vendor: str) -> None:
    for statement in _REMOVE[vendor]:
        cursor.execute(statement)


def outcomes(cursor) -> Counter[tuple[int, str]]:
    """How many times each (submission id, status) was stored."""
    cursor.execute(f"SELECT submission_id, status FROM {TABLE}")
    return Counter((int(submission_id), status) for submission_id, status in cursor.fetchall())
