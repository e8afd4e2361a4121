"""Every URL route of the hub, nested includes followed: for tests that try each one."""

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver


def url_routes(patterns=None, prefix: str = "") -> Iterator[str]:
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)
