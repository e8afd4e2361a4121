"""Refusals of dataset publishing, in words for a person; each protocol maps them to its status once (hub/api_errors.py
for the REST API, compat/kaggle_datasets.py for the Kaggle protocol, the pages in projects/dataset_views.py)."""


class DatasetError(Exception):
    code = "invalid"


class DatasetInvalid(DatasetError):
    code = "invalid"


class DatasetExists(DatasetError):
    code = "exists"


class DatasetForbidden(DatasetError):
    code = "permission_denied"


class DatasetFileTooLarge(DatasetError):
    code = "too_large"


class DatasetQuotaExceeded(DatasetError):
    code = "quota_exceeded"


class DatasetZipNotReady(DatasetError):
    code = "not_ready"
    retry_after = 5
