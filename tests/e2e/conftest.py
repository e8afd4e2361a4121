import pytest


@pytest.fixture
def celery_worker(shared_worker):
    """A real `celery worker` process on the real broker and this test's database (the session's shared one)."""
    return shared_worker
