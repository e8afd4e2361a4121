"""Pages of the site as a whole: home, sign-up, the learner's profile and API token."""

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from accounts.forms import SignUpForm
from accounts.services.email_address import email_verification_request
from projects.selectors import challenges_published
from submissions.leaderboard import leaderboard_positions_of
from submissions.selectors import submissions_of

from .selectors import token_of
from .services import token_replace, token_revoke
from .throttling import SIGN_IN_SCOPE, rate_limited_by_address

START_HERE_SLUG = "identify-the-digits"
PROFILE_SUBMISSIONS = 50


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # The beginner's first challenge leads its level.
    challenges = sorted(challenges_published(), key=lambda c: c.slug != START_HERE_SLUG)
    levels = [
        (level, [c for c in challenges if c.level == level])
        for level in ("beginner", "intermediate", "advanced")
    ]
    start_here = next(
        (c for c in challenges if c.slug == START_HERE_SLUG), challenges[0] if challenges else None
    )
    return render(request, "hub/home.html", {"levels": levels, "start_here": start_here, "nav": "home"})


def safe_next(request: HttpRequest, fallback: str = "home") -> str:
    """The `next` address if it stays on this site (never an open redirect), else the fallback page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    on_site = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if target and on_site and not target.startswith((reverse("login"), reverse("signup"))):
        return target
    return reverse(fallback)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        if form.cleaned_data.get("email"):
            email_verification_request(
                user=user, email=form.cleaned_data["email"], site_url=request.build_absolute_uri("/")
            )
        # With django-axes first among the authentication backends, name the one that made this user.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(safe_next(request))
    return render(
        request,
        "registration/signup.html",
        {"form": form, "next": safe_next(request)},
        status=400 if form.errors else 200,
    )


@method_decorator(rate_limited_by_address(SIGN_IN_SCOPE), name="dispatch")
class LoginView(auth_views.LoginView):
    """Django's sign-in page, answering a failed sign-in with 400 rather than 200, like every other form.

    Sign-in attempts are limited per address (with the API token endpoint's count), and per account and address
    by django-axes: the first stops spraying one password across many usernames, the second guessing one's.
    """

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


@login_required
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    """The learner's own page: their ranks, their submissions across challenges, their API token."""
    context = {
        "nav": "profile",
        "positions": leaderboard_positions_of(user=request.user),
        "submissions": list(submissions_of(user=request.user)[:PROFILE_SUBMISSIONS]),
        "token": token_of(user=request.user),
    }
    return render(request, "hub/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def token_page(request: HttpRequest) -> HttpResponse:
    """Create, replace or revoke the API token; the token itself is shown on the profile page."""
    if request.method == "POST":
        if request.POST.get("action") == "create":
            token_replace(user=request.user)
        else:
            token_revoke(user=request.user)
    return redirect(reverse("profile") + "#api-token")
