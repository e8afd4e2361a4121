import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit and sign-in counters live in the cache, which outlives a test: each test starts with none spent."""
    cache.clear()
    yield
    cache.clear()
