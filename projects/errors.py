"""Refusals of dataset publishing, in words for a person (hub/errors.py DomainRefusal): each protocol maps the
reason to its status once (hub/api_errors.py for the REST API and the pages, compat/errors.py for Kaggle)."""

from enum import Enum

from hub.errors import DomainRefusal


class DatasetReason(Enum):
    INVALID = "invalid"
    EXISTS = "exists"
    PERMISSION_DENIED = "permission_denied"
    TOO_LARGE = "too_large"
    QUOTA_EXCEEDED = "quota_exceeded"
    NOT_READY = "not_ready"


class DatasetError(DomainRefusal):
    """A dataset refusal; each subclass is one reason, raised with the message alone."""

    reason = DatasetReason.INVALID


class DatasetInvalid(DatasetError):
    reason = DatasetReason.INVALID


class DatasetExists(DatasetError):
    reason = DatasetReason.EXISTS


class DatasetForbidden(DatasetError):
    reason = DatasetReason.PERMISSION_DENIED


class DatasetFileTooLarge(DatasetError):
    reason = DatasetReason.TOO_LARGE


class DatasetQuotaExceeded(DatasetError):
    reason = DatasetReason.QUOTA_EXCEEDED


class DatasetZipNotReady(DatasetError):
    reason = DatasetReason.NOT_READY
    retry_after = 5
