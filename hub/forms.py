"""The pages' side of the one refusal (hub/errors.py): a form shows the reason on its field, a page that cannot
go on shows the sentence alone; either answers with the REST API's status for it (hub/api_errors.py), so a script
driving the pages can tell why."""

import functools
from collections.abc import Callable

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .api_errors import refusal_status
from .errors import DomainRefusal


def form_refused(form: forms.Form, error: DomainRefusal, *, field: str | None = None) -> int:
    """Put the refusal's sentence on `field` (the whole form when None); returns the page's status."""
    form.add_error(field, error.message)
    return refusal_status(error)


def refused_page(
    request: HttpRequest,
    error: DomainRefusal,
    *,
    template: str = "community/refused.html",
    context: dict | None = None,
) -> HttpResponse:
    """The page that says why it is not possible, in the refusal's status (and Retry-After, if it has one):
    by default the sentence alone; a page of its own (`template`, `context`) shows it in place."""
    context = {"message": error.message} if context is None else context
    response = render(request, template, context, status=refusal_status(error))
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


def refusal_page(
    family: type[DomainRefusal],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A view whose refusals of `family` are answered by refused_page."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except family as error:
                return refused_page(request, error)

        return wrapped

    return decorate
