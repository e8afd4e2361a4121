"""Template filters and tags: sanitised Markdown, scores, durations, preview bars and charts."""

import datetime as dt
import re

import markdown as markdown_lib
import nh3
from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from hub.charts import Series, line_chart_svg
from workers.scoring import METRICS

register = template.Library()

_ALLOWED_TAGS = nh3.ALLOWED_TAGS | {"pre", "code", "table", "thead", "tbody", "tr", "th", "td", "img", "hr"}
_HEADING = re.compile(r"<(/?)h([1-6])\b")
_LEADING_TITLE = re.compile(r"\A\s*#\s[^\n]*\n+")


@register.filter
def markdown(text: str, top_level: int | str = 2) -> SafeString:
    """Host-written Markdown, rendered then sanitised: no script, no event handler, no javascript: URL survives.

    Headings are shifted so the highest one becomes <h`top_level`>: a description's "# Title" must not sit
    above the page's own <h1>, and headings must stay in order for screen readers.
    """
    html = markdown_lib.markdown(text or "", extensions=["fenced_code", "tables", "sane_lists"])
    html = nh3.clean(html, tags=_ALLOWED_TAGS, link_rel="noopener noreferrer nofollow")
    levels = [int(level) for _, level in _HEADING.findall(html)]
    if levels:
        shift = int(top_level) - min(levels)
        html = _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + shift, 6)}", html)
    return mark_safe(html)  # noqa: S308 - cleaned by nh3 above


@register.filter
def drop_title(text: str) -> str:
    """Markdown without its leading "# Title" line, for pages that already show the title."""
    return _LEADING_TITLE.sub("", text or "", count=1)


@register.filter
def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.5f}"


@register.filter
def minute(value: dt.datetime | None) -> str:
    """A time to the minute, in the hub's time zone (UTC): "2026-03-01 14:05".

    The same text as `|date:"Y-m-d H:i"` at a tenth of the cost, which counts on a 100-row leaderboard page.
    """
    return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@register.filter
def seconds(delta: dt.timedelta | None) -> str:
    """A short duration for people: 0.42 s, 12.3 s, 4 min 05 s."""
    if delta is None:
        return "—"
    total = delta.total_seconds()
    if total < 10:
        return f"{total:.2f} s"
    if total < 60:
        return f"{total:.1f} s"
    minutes, rest = divmod(round(total), 60)
    return f"{minutes} min {rest:02d} s"


@register.filter
def bars(balance: dict) -> list[dict]:
    """Rows for a class-balance bar chart: label, count, share of the total and width against the largest."""
    if balance.get("type") == "histogram":
        items = [(f"{b['low']:g}–{b['high']:g}", b["count"]) for b in balance["bins"]]
    else:
        items = [(label, count) for label, count in balance.get("counts", [])]
    largest = max((count for _, count in items), default=0) or 1
    total = sum(count for _, count in items) or 1
    return [
        {"label": label, "count": count, "share": 100 * count / total, "width": 100 * count / largest}
        for label, count in items
    ]


@register.simple_tag
def score_chart(top: list[dict], mine: list[dict], *, title: str) -> SafeString:
    """The top score over time as a record line, and the learner's own scores as points joined up.

    Takes the leaderboard's history shapes: top points {"at", "score"} (score None once the board emptied),
    the learner's points {"submitted_at", "score"}.
    """
    top_points = [(point["at"], point["score"]) for point in top if point["score"] is not None]
    my_points = [(point["submitted_at"], point["score"]) for point in mine]
    series = [Series("Top score", top_points, "top", step=True), Series("Your scores", my_points, "mine")]
    return mark_safe(line_chart_svg(series, title=title, now=timezone.now()))  # noqa: S308 - built escaped


@register.filter
def metric_name(key: str) -> str:
    metric = METRICS.get(key)
    return metric.name if metric else key
