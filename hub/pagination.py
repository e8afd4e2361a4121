"""Paging, one function for every endpoint that takes a page, a page size or a page token: the REST API's lists and
leaderboard, EvalAI's lists and leaderboard, Kaggle's `page`/`pageSize`/`pageToken`, and the web pages' pagers.

Each value must be a whole number in its range, or the request is refused with a 400 naming the range. The ranges
keep every offset under 2**31, so no value a client sends reaches the database as an integer it cannot hold
(PostgreSQL answers "bigint out of range" past 2**63, a 500 if it got there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rest_framework import pagination
from rest_framework.exceptions import ValidationError

# Far past any real list or board: 1,000 pages of 1,000 rows is a billion rows.
MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 1000
MAX_OFFSET = MAX_PAGE * MAX_PAGE_SIZE
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,30}", re.ASCII)


class PagingError(ValidationError):
    """A page, page size or page token out of its range or not a whole number; detail is {name: [sentence]}."""

    def __init__(self, name: str, low: int, high: int, value: object):
        shown = str(value) if len(str(value)) <= 40 else str(value)[:37] + "..."
        super().__init__({name: [range_message(low, high) + f" '{shown}' is not."]}, code="invalid_page")


def range_message(low: int, high: int) -> str:
    return f"Must be a whole number from {low} to {high}."


@dataclass(frozen=True)
class Window:
    """The rows of one page: `limit` rows from `offset`; `number` counts pages from 1."""

    number: int
    size: int
    offset: int

    @property
    def limit(self) -> int:
        return self.size


def page_window(
    *,
    page: object = None,
    page_size: object = None,
    offset: object = None,
    default_size: int,
    names: tuple[str, str, str] = ("page", "page_size", "offset"),
) -> Window:
    """The page a client asked for, by page number or by offset (a page token); None means not given.

    Values may be ints (JSON) or text (a query string); booleans, fractions, blanks and anything out of range raise
    PagingError. A page past the last one is not an error here: each caller answers it as its protocol does.
    """
    page_name, size_name, offset_name = names
    size = default_size if page_size is None else _whole(page_size, 1, MAX_PAGE_SIZE, size_name)
    if offset is not None:
        start = _whole(offset, 0, MAX_OFFSET, offset_name)
        return Window(number=start // size + 1, size=size, offset=start)
    number = 1 if page is None else _whole(page, 1, MAX_PAGE, page_name)
    return Window(number=number, size=size, offset=(number - 1) * size)


def _whole(value: object, low: int, high: int, name: str) -> int:
    if isinstance(value, bool):
        raise PagingError(name, low, high, value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise PagingError(name, low, high, value)
    if not low <= number <= high:
        raise PagingError(name, low, high, value)
    return number


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M` (at most 1000 a page); every list answers {count, next, previous, results}.

    Both values go through page_window: a blank, a fraction or a number out of range is a 400 naming the range
    (DRF would fall back to the default size and answer a bad page with 404). A page past the last is a 404.
    """

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_page_message = (
        "There is no page {page_number}: pages are numbered from 1; follow the 'next' links."
    )

    def get_page_size(self, request) -> int:
        return self._window(request).size

    def get_page_number(self, request, paginator) -> int | str:
        if request.query_params.get(self.page_query_param) in self.last_page_strings:
            return request.query_params[self.page_query_param]  # DRF's ?page=last
        return self._window(request).number

    def _window(self, request) -> Window:
        page = request.query_params.get(self.page_query_param)
        return page_window(
            page=None if page in self.last_page_strings else page,
            page_size=request.query_params.get(self.page_size_query_param),
            default_size=self.page_size or MAX_PAGE_SIZE,
        )

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        ranges = {
            self.page_query_param: (1, MAX_PAGE),
            self.page_size_query_param: (1, MAX_PAGE_SIZE),
        }
        for parameter in parameters:
            low, high = ranges[parameter["name"]]
            parameter["schema"].update({"minimum": low, "maximum": high})
            parameter["description"] += f" (a whole number from {low} to {high}; anything else is a 400)"
        return parameters
