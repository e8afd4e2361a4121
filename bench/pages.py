"""Benchmark: the leaderboard page's server time with 10,000 participants, beside the naive GROUP BY page.

    python bench/pages.py                                   # SQLite in bench/.data/pages/ (made once)
    python bench/pages.py --participants 10000 --repeat 50
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_web python bench/pages.py   # a scratch database

The board is filled once (users, participants, 1-3 scored submissions each, and the leaderboard entry the
hub keeps per participant) and reused while --participants is unchanged. Each page is then rendered, round
robin after a warm-up, by calling its view with a RequestFactory request (the view, its queries and the
template: the server's share of a page view, without the network): anonymously, and for a signed-in learner
ranked near the bottom (their rank, pinned row and submissions left today). The baseline renders the same
template from the naive approach: GROUP BY over all submissions on every view, ranks counted in Python.
The median and the 95th percentile of each are reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / ".data" / "pages"
os.environ.setdefault("HUB_VAR_DIR", str(DATA))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.base")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Max, Min  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.utils import timezone  # noqa: E402

from projects.models import Challenge, Dataset  # noqa: E402
from projects.selectors import challenge_get_published  # noqa: E402
from projects.views import challenge_context  # noqa: E402
from submissions import views  # noqa: E402
from submissions.leaderboard import LeaderboardRow  # noqa: E402
from submissions.models import LeaderboardEntry, Participant, Submission  # noqa: E402
from submissions.selectors import submission_limits  # noqa: E402

SLUG = "bench-board"
BATCH = 2_000


def fill(participants: int) -> None:
    """Create the board unless it already has this many participants."""
    challenge = Challenge.objects.filter(slug=SLUG).first()
    if challenge is not None and Participant.objects.filter(challenge=challenge).count() == participants:
        return
    print(f"Filling the board with {participants:,} participants (once)...", flush=True)
    Challenge.objects.filter(slug=SLUG).delete()
    get_user_model().objects.filter(username__startswith="bench-").delete()
    dataset, _ = Dataset.objects.get_or_create(slug=SLUG, defaults={"title": "Benchmark data"})
    challenge = Challenge.objects.create(
        slug=SLUG,
        title="Benchmark board",
        dataset=dataset,
        metric="accuracy",
        id_column="id",
        target_column="label",
        solution_id_column="id",
        solution_target_column="label",
        start_at=timezone.now() - dt.timedelta(days=60),
    )
    rng = random.Random(20260101)
    User = get_user_model()
    start = timezone.now() - dt.timedelta(days=50)
    for first in range(0, participants, BATCH):
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(username=f"bench-{index:06d}", password="!")
                for index in range(first, min(first + BATCH, participants))
            )
            Participant.objects.bulk_create(Participant(challenge=challenge, user=user) for user in users)
            submissions = []
            for user in users:
                skill = rng.uniform(0.5, 0.97)
                for _ in range(rng.randint(1, 3)):
                    when = start + dt.timedelta(minutes=rng.randint(0, 50 * 24 * 60))
                    score = round(min(skill + rng.gauss(0, 0.02), 1.0), 5)
                    submissions.append(
                        Submission(
                            uuid=f"{user.pk:08d}-0000-0000-0000-{len(submissions):012d}",
                            challenge=challenge,
                            user=user,
                            file="bench.csv",
                            original_name="submission.csv",
                            size=1,
                            sha256="0" * 64,
                            status=Submission.Status.SCORED,
                            public_score=score,
                            private_score=score,
                            created_at=when,
                            started_at=when,
                            finished_at=when,
                        )
                    )
            Submission.objects.bulk_create(submissions)
            # What leaderboard.py keeps per participant: the best public score, the earliest on a tie.
            best: dict[int, Submission] = {}
            counts: dict[int, int] = {}
            for submission in sorted(submissions, key=lambda s: (-s.public_score, s.created_at)):
                best.setdefault(submission.user_id, submission)
                counts[submission.user_id] = counts.get(submission.user_id, 0) + 1
            LeaderboardEntry.objects.bulk_create(
                LeaderboardEntry(
                    challenge=challenge,
                    user_id=user_id,
                    split=LeaderboardEntry.Split.PUBLIC,
                    submission=submission,
                    score=submission.public_score,
                    sort_score=submission.public_score,
                    submitted_at=submission.created_at,
                    entries=counts[user_id],
                )
                for user_id, submission in best.items()
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def naive_leaderboard(request, slug: str):
    """The baseline: every view groups all scored submissions by learner and ranks them in Python."""
    challenge = challenge_get_published(slug=slug)
    best = list(
        Submission.objects.filter(
            challenge=challenge, status=Submission.Status.SCORED, public_score__isnull=False
        )
        .values("user_id", "user__username")
        .annotate(score=Max("public_score"), entries=Count("id"), first_at=Min("created_at"))
    )
    best.sort(key=lambda row: (-row["score"], row["first_at"]))
    rows = [
        LeaderboardRow(
            rank=rank,
            participant=row["user__username"],
            user_id=row["user_id"],
            score=row["score"],
            submitted_at=row["first_at"],
            entries=row["entries"],
            is_baseline=False,
            submission_id=0,
        )
        for rank, row in enumerate(best, start=1)
    ]
    me = next((row for row in rows if row.user_id == request.user.pk), None)
    page = rows[: views.PAGE_SIZE]
    context = challenge_context(challenge, "leaderboard") | {
        "split": "public",
        "rows": page,
        "count": len(rows),
        "page": 1,
        "last_page": max((len(rows) + views.PAGE_SIZE - 1) // views.PAGE_SIZE, 1),
        "me": me,
        "me_on_page": me is not None and me in page,
        "limits": submission_limits(challenge=challenge, user=request.user)
        if request.user.is_authenticated
        else None,
        "poll_seconds": 5,
        "csv_url": None,
    }
    return render(request, "submissions/leaderboard.html", context)


def measure(cases: dict, repeat: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(3):  # warm-up: templates compiled, caches filled
        for view, request in cases.values():
            view(request, SLUG)
    for _ in range(repeat):
        for name, (view, request) in cases.items():
            started = time.perf_counter()
            response = view(request, SLUG)
            timings[name].append(time.perf_counter() - started)
            assert response.status_code == 200, (name, response.status_code)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    DATA.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command(
        "collectstatic", interactive=False, verbosity=0
    )  # as `make run` does: pages link hashed names
    fill(args.participants)
    # A learner far down the board: their rank is counted, their row pinned under the page.
    learner = LeaderboardEntry.objects.filter(challenge__slug=SLUG).order_by("sort_score").first().user
    factory = RequestFactory()

    def request(user):
        built = factory.get(f"/challenges/{SLUG}/leaderboard/")
        built.user = user
        return built

    cases = {
        "leaderboard page, anonymous": (views.leaderboard, request(AnonymousUser())),
        "leaderboard page, signed-in learner near the bottom": (views.leaderboard, request(learner)),
        "live part (polled), signed-in learner": (views.leaderboard_board, request(learner)),
        "baseline: naive GROUP BY page, anonymous": (naive_leaderboard, request(AnonymousUser())),
        "baseline: naive GROUP BY page, signed-in learner": (naive_leaderboard, request(learner)),
    }
    timings = measure(cases, args.repeat)
    submissions = Submission.objects.filter(challenge__slug=SLUG).count()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"\n{connection.vendor}, {args.participants:,} participants, {submissions:,} scored submissions, "
        f"{views.PAGE_SIZE} rows a page, {args.repeat} runs each (median, 95th percentile); "
        f"load average {load} on {os.cpu_count()} cores:"
    )
    for name, values in timings.items():
        values.sort()
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        print(f"  {name:<55} {statistics.median(values) * 1000:8.1f} ms {p95 * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
