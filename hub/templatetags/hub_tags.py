"""Template filters: sanitised Markdown, scores, sizes."""

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_ALLOWED_TAGS = nh3.ALLOWED_TAGS | {"pre", "code", "table", "thead", "tbody", "tr", "th", "td", "img", "hr"}


@register.filter
def markdown(text: str) -> SafeString:
    """Host-written Markdown, rendered then sanitised: no script, no event handler, no javascript: URL survives."""
    html = markdown_lib.markdown(text or "", extensions=["fenced_code", "tables", "sane_lists"])
    return mark_safe(nh3.clean(html, tags=_ALLOWED_TAGS, link_rel="noopener noreferrer nofollow"))  # noqa: S308


@register.filter
def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.5f}"
