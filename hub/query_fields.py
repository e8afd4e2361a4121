"""Query-string and form fields that refuse a blank value (`?split=`, `?page=`, `username=`) instead of reading it
as "not given".

DRF reads a blank optional field of a query string as absent and quietly uses the default, so `?split=` answered
the public board and `?status=` every challenge; the schema says the value is one of a few, so a blank is a 400
naming them.
"""

from rest_framework import serializers

from .pagination import range_message


class _BlankIsAValue:
    def get_value(self, dictionary):
        if hasattr(dictionary, "getlist") and self.field_name in dictionary:
            return dictionary.get(self.field_name)
        return super().get_value(dictionary)


class QueryChoiceField(_BlankIsAValue, serializers.ChoiceField):
    pass


class QueryCharField(_BlankIsAValue, serializers.CharField):
    pass


class QueryIntegerField(_BlankIsAValue, serializers.IntegerField):
    """A whole number whose range is in the schema and in every refusal of it."""

    def __init__(self, *, min_value: int, max_value: int, **kwargs):
        message = range_message(min_value, max_value)
        kwargs["error_messages"] = {"invalid": message, "min_value": message, "max_value": message}
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)
