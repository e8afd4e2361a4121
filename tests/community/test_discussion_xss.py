"""Topics and replies go through the challenge texts' renderer and sanitiser: none of the stored-script corpus of
tests/security, javascript: links or raw HTML survives, in the API's body_html or on the pages."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from community.models import Post
from tests.community.conftest import client_for
from tests.security.test_stored_script_browser import PAYLOADS

pytestmark = pytest.mark.django_db

HOSTILE = [
    *PAYLOADS,
    "[a](javascript:alert(1))",
    "[b](JaVaScRiPt:alert(1))",
    "[c](  javascript:alert(1))",
    "[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![e](javascript:alert(1))",
    "<a href='javascript&#58;alert(1)'>f</a>",
    '<div style="background:url(javascript:alert(1))" onclick="alert(1)">g</div>',
    "<form action=/x><input name=a autofocus onfocus=alert(1)></form>",
    "<object data=x></object><embed src=x><base href=//evil.example/><meta http-equiv=refresh content=0;url=//x>",
    "<style>body{display:none}</style><link rel=stylesheet href=//evil.example/x.css>",
    "```html\n<script>alert(1)</script>\n```",
    "<scr<script>ipt>alert(1)</script>",
]


class Audit(HTMLParser):
    """Every tag and attribute of the fragment that could run script or load a page."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in {
            "script",
            "iframe",
            "object",
            "embed",
            "base",
            "meta",
            "style",
            "link",
            "form",
            "input",
            "svg",
        }:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            lowered = (value or "").replace(" ", "").lower()
            if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
                self.found.append(f"{tag}[{name}]")
            if name in {"href", "src", "action"} and lowered.startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.found.append(f"{tag}[{name}={value}]")


def dangerous(html: str) -> list[str]:
    audit = Audit()
    audit.feed(html)
    return audit.found


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_markdown_is_neutralised_in_topics_and_replies(
    user, other_user, challenge, start_topic, payload
):
    topic = start_topic(user, challenge, title=payload[:200], body=payload)
    assert dangerous(topic["body_html"]) == [], topic["body_html"]
    reply = client_for(other_user).post(
        f"/api/v1/topics/{topic['id']}/posts/", {"body": payload}, format="json"
    )
    assert dangerous(reply.json()["body_html"]) == []
    edited = client_for(other_user).patch(
        f"/api/v1/posts/{reply.json()['id']}/", {"body": payload + payload}, format="json"
    )
    assert dangerous(edited.json()["body_html"]) == []

    page = Client().get(topic["url"]).content.decode()
    main = page.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    # Signed out, the topic page itself has no form or script: anything found came from the payload.
    assert dangerous(main) == [], dangerous(main)
    listing = Client().get(f"/challenges/{challenge.slug}/discussion/").content.decode()
    assert "<script>" not in listing.split('<main id="main"', 1)[1]
    assert Post.objects.filter(body=payload).exists(), (
        "the text is stored as written, and only rendered safely"
    )


def test_code_blocks_keep_their_text_escaped(user, challenge, start_topic):
    topic = start_topic(user, challenge, body="```python\nif a < b and c > d: print('<b>')\n```")
    assert "<pre><code" in topic["body_html"]
    assert "&lt;b&gt;" in topic["body_html"]
