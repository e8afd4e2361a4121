from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """The learner's account: sign-up, sign-in, profile and API token; e-mail (the outgoing-mail queue, password
    reset, the verified address)."""

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
