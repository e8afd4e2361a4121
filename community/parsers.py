"""JSON bodies that Python's decoder cannot take (nested past its recursion limit) as a 400, not a 500.

Local to the discussion's API; issue 21 (nested JSON on every endpoint) may replace it with one parser for all.
"""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("The JSON is nested too deeply: send an object of plain fields.") from None
