"""The CLI's HTTP client in-process against the live server: rate limits and servers that are not a hub."""

import pytest

from hub_cli.client import Client, HubError

pytestmark = [pytest.mark.slow]


@pytest.fixture
def tight_rate(settings):
    def set_rate(rate: str):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": rate, "user": rate, "auth": rate},
        }

    return set_rate


def test_a_short_rate_limit_wait_is_waited_out_and_the_request_sent_again(live_server, challenge, tight_rate):
    tight_rate("1/second")
    client = Client(live_server.url, None, timeout=30)
    statuses = []
    client.http.event_hooks["response"].append(lambda response: statuses.append(response.status_code))

    first = client.get("/api/v1/challenges/")
    second = client.get("/api/v1/challenges/")

    assert first == second
    assert statuses[:2] == [200, 429] and statuses[-1] == 200


def test_a_long_rate_limit_wait_is_reported_with_when_to_retry(live_server, challenge, tight_rate, run_hub):
    tight_rate("1/hour")
    assert run_hub("challenges").code == 0

    refused = run_hub("challenges")

    assert refused.code == 1
    assert "Too many requests" in refused.stderr and "retry after" in refused.stderr


def test_an_address_that_is_not_a_hub_says_so(live_server, transactional_db):
    client = Client(f"{live_server.url}/static", None, timeout=30)
    with pytest.raises(HubError) as refused:
        client.get("/hub/hub.css")
    assert "not like a hub" in refused.value.message
