"""The pages' side of the one refusal (submissions/errors.py): a form shows the reason on its field and the page
answers with the same status as the REST API (hub/api_errors.py), so a script driving the form can tell why."""

from django import forms

from submissions.errors import SubmissionRefused

from .api_errors import refusal_status


def form_refused(form: forms.Form, error: SubmissionRefused, *, field: str | None = None) -> int:
    """Put the refusal's sentence on `field` (the whole form when None); returns the page's status."""
    form.add_error(field, error.message)
    return refusal_status(error)
