"""The hidden solution must not be reachable through any URL the hub serves, by anyone."""

import pytest

from tests.routes import url_routes

pytestmark = pytest.mark.django_db


def _fill(route: str, challenge, solution_name: str) -> list[str]:
    """Every route with its parameters filled by values an attacker would try."""
    names = [
        "solution.csv",
        solution_name,
        f"../../{solution_name}",
        "..%2F..%2Fsolutions%2Fsolution.csv",
        "challenge.yaml",
    ]
    if "<" not in route:
        return ["/" + route.lstrip("^").rstrip("$")]
    urls = []
    for name in names:
        url = (
            route.replace("<slug:slug>", challenge.slug)
            .replace("<str:name>", name)
            .replace("<int:submission_id>", "1")
            .replace("<path:object_id>", "1")
            .replace("<path:app_label>", "projects")
        )
        if "<" not in url and "(?P" not in url:
            urls.append("/" + url.lstrip("^").rstrip("$"))
    return urls


def test_no_url_serves_the_solution_to_anyone(client, challenge, admin_user):
    solution_bytes = challenge.solution.file.open("rb").read()
    private_rows = [line for line in solution_bytes.decode().splitlines() if line.endswith("Private")]
    urls = {url for route in url_routes() for url in _fill(route, challenge, challenge.solution.file.name)}
    assert len(urls) > 20

    for who in (None, admin_user):
        if who:
            client.force_login(who)
        for url in sorted(urls):
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert solution_bytes not in body, url
            assert not any(row.encode() in body for row in private_rows[:3]), url
