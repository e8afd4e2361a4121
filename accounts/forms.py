from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.template.loader import render_to_string

from accounts.services.mail import mail_queue


class HubPasswordResetForm(PasswordResetForm):
    """Django's form, with the message stored and sent by a Celery task instead of from the request."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        mail_queue(kind="password_reset", to=to_email, subject=subject, body=body)


class SignUpForm(UserCreationForm):
    """A user name and a password; an e-mail address too, optional unless HUB_REQUIRE_VERIFIED_EMAIL is on."""

    email = forms.EmailField(
        required=False,
        help_text="Optional: for a forgotten password and the notifications you choose. "
        "We send a link to confirm it.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if settings.HUB_REQUIRE_VERIFIED_EMAIL:
            self.fields["email"].required = True
            self.fields[
                "email"
            ].help_text = "We send a link to confirm it; your account is ready once you follow it."

    def save(self, commit=True):
        # The address is only stored once verified (accounts.services.email_address).
        user = super().save(commit=False)
        user.email = ""
        if commit:
            user.save()
        return user


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label="New e-mail address")
