"""HTTP access to the hub: timeouts on every request, and every failure turned into a sentence and an exit code."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from . import __version__

# Exit codes, documented in docs/cli.md.
EXIT_FAILED = 1  # the hub refused or the submission failed: the message says why
EXIT_NETWORK = 3  # the hub could not be reached, or did not answer in time
EXIT_AUTH = 4  # not signed in, or the token was refused

# A request refused by the rate limit is sent again after Retry-After, if that is short.
THROTTLE_RETRIES = 2
THROTTLE_MAX_WAIT = 30

LOGIN_HINT = "Run `hub login URL` to sign in again, or check HUB_TOKEN."


class HubError(Exception):
    def __init__(
        self,
        message: str,
        *,
        exit_code: int = EXIT_FAILED,
        status: int | None = None,
        code: str | None = None,
        detail: Any = None,
    ):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.status = status
        self.code = code
        self.detail = detail

    def as_json(self) -> dict:
        return {"error": self.message, "detail": self.detail, "code": self.code, "status": self.status}


class Client:
    def __init__(self, url: str, token: str | None, *, timeout: float = 60.0):
        self.url = url
        self.token = token
        headers = {"User-Agent": f"hub-cli/{__version__}", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        # A short connect timeout tells "server down" quickly; reads and writes wait longer for big files.
        self.http = httpx.Client(
            base_url=url,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=True,
        )

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        for attempt in range(THROTTLE_RETRIES + 1):
            with self._errors_explained():
                response = self.http.request(method, path, **kwargs)
            wait = _throttled_wait(response)
            # Only requests without a body are sent again: an upload's stream cannot be replayed.
            has_body = "content" in kwargs or "files" in kwargs
            if wait is None or attempt == THROTTLE_RETRIES or has_body or wait > THROTTLE_MAX_WAIT:
                break
            time.sleep(wait)
        raise_for_error(response)
        return response

    def get(self, path: str, **params) -> Any:
        return self.send("GET", path, params={k: v for k, v in params.items() if v is not None})

    def send(self, method: str, path: str, **kwargs) -> Any:
        """The JSON body of a successful request."""
        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise HubError(
                f"{self.url} answered, but not like a hub (no JSON at {response.url}). Check the address."
            ) from None

    def all_pages(self, path: str, **params) -> list[dict]:
        """Every result of a paginated list, following its `next` links."""
        page = self.get(path, **params)
        results = list(page["results"])
        while page.get("next"):
            page = self.get(page["next"])
            results.extend(page["results"])
        return results

    @contextmanager
    def stream(self, method: str, url: str, **kwargs) -> Iterator[httpx.Response]:
        with self._errors_explained(), self.http.stream(method, url, **kwargs) as response:
            if response.status_code >= 400:
                response.read()
                raise_for_error(response)
            yield response

    @contextmanager
    def _errors_explained(self) -> Iterator[None]:
        try:
            yield
        except httpx.ConnectError as error:
            raise HubError(
                f"Could not connect to the hub at {self.url} ({_reason(error)}). Is it running, and is the address "
                "right? Set it with `hub login URL` or HUB_URL.",
                exit_code=EXIT_NETWORK,
            ) from None
        except httpx.TimeoutException:
            raise HubError(
                f"The hub at {self.url} did not answer in time. Try again later, or allow longer with --timeout.",
                exit_code=EXIT_NETWORK,
            ) from None
        except httpx.HTTPError as error:
            raise HubError(
                f"The connection to {self.url} failed: {_reason(error)}. Try again.", exit_code=EXIT_NETWORK
            ) from None


def _throttled_wait(response: httpx.Response) -> float | None:
    if response.status_code != 429:
        return None
    try:
        body = response.json()
        wait = float(response.headers.get("Retry-After", "1"))
    except ValueError:
        return None
    if not isinstance(body, dict) or body.get("code") != "throttled":
        return None  # a submission limit: waiting a few seconds changes nothing
    return wait


def _reason(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text.split("] ", 1)[-1]  # "[Errno 111] Connection refused" -> "Connection refused"


def raise_for_error(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "error" in body:
        message, detail, code = str(body["error"]), body.get("detail"), body.get("code")
    elif response.status_code >= 500:
        message, detail, code = (
            f"The hub had an internal error ({response.status_code}). Try again later; if it persists, tell the "
            "hub's administrator.",
            None,
            "server_error",
        )
    else:
        message = f"The hub answered {response.status_code} {response.reason_phrase} for {response.url}."
        detail, code = None, None
    if response.status_code == 401:
        if code == "not_authenticated":
            message = "You are not signed in. Run `hub login URL`, or set HUB_URL and HUB_TOKEN."
        else:
            message = f"The hub refused your token: it is wrong or was revoked. {LOGIN_HINT}"
        raise HubError(message, exit_code=EXIT_AUTH, status=401, code=code, detail=detail)
    if response.status_code == 429 and response.headers.get("Retry-After") and code == "throttled":
        message = f"{message} (retry after {response.headers['Retry-After']} s)"
    raise HubError(message, status=response.status_code, code=code, detail=detail)
