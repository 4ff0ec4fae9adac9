"""Real Celery worker processes for tests of jobs that must survive a killed worker.

Each harness listens on a queue of its own (parallel test processes share one Redis) and reaches
the test's own PostgreSQL database, so the test must use a transactional database.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def worker_database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{quote(db['USER'], safe='')}:{quote(db['PASSWORD'], safe='')}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


class Workers:
    """Worker subprocesses on one queue of this test's own, on the test database."""

    def __init__(self, name: str, **env: str):
        self.queue = f"test-{name}-{uuid.uuid4().hex[:8]}"
        self.env = env
        self.procs: list[subprocess.Popen] = []

    def start(self, **env: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "partyhub", "worker", "-Q", self.queue, "-c", "1", "-l", "warning"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": worker_database_url(), "CONN_MAX_AGE": "0", **self.env, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # A process group of its own, so that SIGKILL also reaches the pool's child process.
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for proc in self.procs:
            self.kill(proc)


def wait_until(condition, timeout: float, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s")
