import pytest

from tests.processes import CeleryWorker


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """A real `celery worker` process on the real broker and this test's database."""
    worker = CeleryWorker("worker1", tmp_path).start()
    yield worker
    worker.stop()
