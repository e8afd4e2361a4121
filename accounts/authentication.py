from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed


class TokenOrBearerAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, and `Bearer <key>` as other clients (the EvalAI CLI, curl habits) send it."""

    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        # Parsed here rather than by rewriting the header for the parent class: DRF reads `request.headers`, which
        # Django builds once per request, so a rewritten META would go unseen.
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(
                "The Authorization header must be 'Token <key>' (or 'Bearer <key>'): one word, a space, the key."
            )
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise AuthenticationFailed("The token holds characters a token never has.") from None
        return self.authenticate_credentials(key)
