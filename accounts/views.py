"""The learner's account: sign-up, sign-in, the profile page and its API token, password reset by e-mail (Django's
views, the hub's templates) and the e-mail address."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from accounts.forms import EmailChangeForm, HubPasswordResetForm, SignUpForm
from accounts.rate_limits import password_reset_wait
from accounts.selectors import token_of
from accounts.services.email_address import EmailVerificationFailed, email_verification_request, email_verify
from accounts.services.tokens import token_replace, token_revoke
from hub.throttling import PASSWORD_RESET_SCOPE, SIGN_IN_SCOPE, rate_limited_by_address
from submissions.leaderboard import leaderboard_positions_of
from submissions.selectors import submissions_of

PROFILE_SUBMISSIONS = 50


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
        "accounts/signup.html",
        {"form": form, "next": safe_next(request)},
        status=400 if form.errors else 200,
    )


@method_decorator(rate_limited_by_address(SIGN_IN_SCOPE), name="dispatch")
class LoginView(auth_views.LoginView):
    """Django's sign-in page, answering a failed sign-in with 400 rather than 200, like every other form.

    Sign-in attempts are limited per address (with the API token endpoint's count), and per account and address
    by django-axes: the first stops spraying one password across many usernames, the second guessing one's.
    """

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

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
    return render(request, "accounts/profile.html", context)


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


@method_decorator(rate_limited_by_address(PASSWORD_RESET_SCOPE), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Whatever the address, the answer is the same page ("if an account has this address, ..."); only the
    rate limits (per client address, then per address asked for), which count every request alike, answer
    otherwise."""

    form_class = HubPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/mail/password_reset.txt"
    subject_template_name = "accounts/mail/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        wait = password_reset_wait(request=self.request, email=form.cleaned_data["email"])
        if wait:
            minutes = max(1, round(wait / 60))
            form.add_error(
                None,
                f"Too many password-reset requests for this address: "
                f"try again in {minutes} minute{'s' if minutes != 1 else ''}.",
            )
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(wait)
            return response
        self.extra_email_context = {"timeout_hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
        return super().form_valid(form)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


@login_required
@require_http_methods(["GET", "POST"])
def email_settings(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        email_verification_request(user=request.user, email=email, site_url=request.build_absolute_uri("/"))
        messages.success(request, f"We sent a link to {email}: follow it to make it your address.")
        return redirect("email-settings")
    return render(
        request,
        "accounts/email_settings.html",
        {"form": form, "nav": "profile"},
        status=400 if form.errors else 200,
    )


@require_GET
def email_verify_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = email_verify(token=token)
    except EmailVerificationFailed as error:
        return render(request, "accounts/email_verified.html", {"error": str(error)}, status=400)
    return render(request, "accounts/email_verified.html", {"verified_email": user.email})
