"""Pages of notifications: the list (with mark read), the e-mail settings, the one-click unsubscribe."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from community.models import NotificationKind
from community.selectors import email_choices_of, notifications_of
from community.services.notifications import (
    UnsubscribeLinkInvalid,
    email_preferences_set,
    email_unsubscribe,
    notifications_mark_read,
)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_of(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "community/notifications.html", {"page": page, "nav": "notifications"})


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark one (`id`) or all read; with `next`, go on to the notification's page (a link that marks it read)."""
    raw = request.POST.get("id")
    ids = [int(raw)] if raw and raw.isdigit() else None
    notifications_mark_read(user=request.user, ids=ids)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        email_preferences_set(
            user=request.user,
            choices={kind: request.POST.get(kind) == "on" for kind in NotificationKind.values},
        )
        messages.success(request, "Your e-mail settings are saved.")
        return redirect("notification-settings")
    choices = email_choices_of(user=request.user)
    kinds = [(kind, label, choices[kind]) for kind, label in NotificationKind.choices]
    return render(request, "community/notification_settings.html", {"kinds": kinds, "nav": "notifications"})


# The link in every message works without signing in: the signature is the proof. POST is RFC 8058's one-click
# (mail clients send it without a CSRF token); GET is the link a person clicks.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        _, kind = email_unsubscribe(token=token)
    except UnsubscribeLinkInvalid as error:
        return render(request, "community/unsubscribed.html", {"error": str(error)}, status=400)
    return render(request, "community/unsubscribed.html", {"label": NotificationKind(kind).label})
