"""The one JSON parser of every endpoint that reads JSON: the hub's API (DRF's DEFAULT_PARSER_CLASSES) and the
Kaggle protocol, whose views name it in `parser_classes`.

Python's json module recurses once per nesting level, so `[[[[...` a few thousand deep raises RecursionError, which
DRF's parser does not catch (a 500). No request the hub takes nests more than a few levels, so a depth far past
that is refused with a 400 saying so, before any view or serializer walks the data recursively.
"""

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 32
TOO_DEEP = (
    f"JSON parse error - the body nests arrays and objects more than {MAX_JSON_DEPTH} levels deep; "
    "no request of this hub needs more than a few. Send a flat JSON object of the documented fields."
)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if json_depth(data) > MAX_JSON_DEPTH:
            raise ParseError(TOO_DEEP)
        return data


def json_depth(data: Any) -> int:
    """How deeply lists and dicts nest in `data` (a scalar is 0, `[]` is 1); iterative, so any depth is safe."""
    deepest = 0
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest  # deep enough to refuse: no need to walk the rest
        pending.extend((child, depth + 1) for child in children)
    return deepest
