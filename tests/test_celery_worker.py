"""With REDIS_URL set (CI's second pass), jobs go through a real broker to a real worker process."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from partyhub.tasks import heartbeat

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL and a Redis server"),
]


@pytest.fixture
def worker_queue():
    """A worker subprocess listening on a queue of its own, so parallel test runs never share work."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "partyhub", "worker", "-Q", queue, "-c", "1", "-l", "warning"],
        cwd=ROOT,
        env={**os.environ},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield queue
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_a_task_runs_on_a_real_worker(worker_queue):
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    result = heartbeat.apply_async(queue=worker_queue)
    assert result.get(timeout=60) == "ok"
