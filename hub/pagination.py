from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M` (at most 1000 a page); every list answers {count, next, previous, results}."""

    page_size_query_param = "page_size"
    max_page_size = 1000
    invalid_page_message = (
        "There is no page {page_number}: pages are numbered from 1; follow the 'next' links."
    )
