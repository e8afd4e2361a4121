"""Pages of the site as a whole: home, sign-up, the API token page."""

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from projects.selectors import challenges_published


def home(request: HttpRequest) -> HttpResponse:
    challenges = list(challenges_published())
    levels = [
        (level, [c for c in challenges if c.level == level])
        for level in ("beginner", "intermediate", "advanced")
    ]
    start_here = next(
        (c for c in challenges if c.slug == "identify-the-digits"), challenges[0] if challenges else None
    )
    return render(request, "hub/home.html", {"levels": levels, "start_here": start_here})


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(_safe_next(request) or "home")
    return render(request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200)


def _safe_next(request: HttpRequest) -> str | None:
    """`next` only if it stays on this site: never an open redirect to another host."""
    target = request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return None


class LoginView(auth_views.LoginView):
    """Django's sign-in page, answering a failed sign-in with 400 rather than 200, like every other form."""

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


@login_required
@require_http_methods(["GET", "POST"])
def token_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        Token.objects.filter(user=request.user).delete()
        if request.POST.get("action") == "create":
            Token.objects.create(user=request.user)
        return redirect("token")
    token = Token.objects.filter(user=request.user).first()
    return render(request, "hub/token.html", {"token": token})
