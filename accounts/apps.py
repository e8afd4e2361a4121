from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """E-mail for accounts: the outgoing-mail queue, password reset, the verified address.

    Sign-up, sign-in and tokens still live in hub/ (views.py); a later change moves them here.
    """

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
