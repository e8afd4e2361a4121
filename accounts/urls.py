from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

# Mounted at /accounts/ (hub/urls.py).
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("token/", views.token_page, name="token"),
    path("profile/", views.profile, name="profile"),
    # Django's sign-in, sign-out and password change, in the hub's templates.
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(template_name="accounts/logged_out.html"), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(template_name="accounts/password_change_form.html"),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("email/", views.email_settings, name="email-settings"),
    path("email/verify/<str:token>/", views.email_verify_page, name="email-verify"),
]
