"""A worker pool process parses the solutions of open challenges before its first task (workers/warmup.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from projects.selectors import challenge_solution
from workers.scoring import solution as solution_cache
from workers.warmup import preload_solutions


@pytest.fixture(autouse=True)
def empty_cache():
    solution_cache._cached.cache_clear()
    yield
    solution_cache._cached.cache_clear()


def test_the_solutions_of_open_challenges_are_parsed_into_the_process_cache(make_challenge):
    open_challenge = make_challenge("open-now")
    ended = make_challenge("ended")
    ended.start_at = timezone.now() - timedelta(days=10)
    ended.end_at = timezone.now() - timedelta(days=1)
    ended.save(update_fields=["start_at", "end_at"])

    assert preload_solutions() == ["open-now"]
    assert solution_cache._cached.cache_info().currsize == 1
    # The one kept is the open challenge's: it is found by its checksum, without reading the (now gone) file.
    open_challenge.solution.file.storage.delete(open_challenge.solution.file.name)
    assert challenge_solution(open_challenge).sha256 == open_challenge.solution.sha256


def test_a_solution_over_the_size_limit_is_left_to_its_first_task(make_challenge):
    make_challenge("large", rows=200)

    assert preload_solutions(max_bytes=100) == []
    assert solution_cache._cached.cache_info().currsize == 0


def test_a_solution_that_cannot_be_read_is_logged_and_skipped(make_challenge, caplog):
    broken = make_challenge("broken")
    make_challenge("fine")
    broken.solution.file.storage.delete(broken.solution.file.name)

    assert preload_solutions() == ["fine"]
    # An ERROR naming the challenge and the file: the hosts hear of it before the first learner does.
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any("broken" in m and broken.solution.file.name in m for m in errors), errors
