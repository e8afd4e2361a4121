"""The engine's thread helper keeps results in order and passes errors on."""

from __future__ import annotations

import pytest

from workers.scoring.parallel import map_in_threads


def test_results_come_back_in_the_order_of_the_items():
    assert map_in_threads(lambda number: number * number, list(range(100))) == [n * n for n in range(100)]


def test_an_error_in_any_thread_reaches_the_caller():
    def fail_on_seven(number: int) -> int:
        if number == 7:
            raise ValueError("seven")
        return number

    with pytest.raises(ValueError, match="seven"):
        map_in_threads(fail_on_seven, list(range(20)))
