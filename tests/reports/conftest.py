import copy
import uuid

import pytest


@pytest.fixture
def isolated_cache(settings):
    """A cache key prefix of this test's own: parallel test processes share one Redis in CI."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:10]}"
    settings.CACHES = caches


@pytest.fixture
def eager_celery():
    """Run tasks inline even when REDIS_URL is set, for tests that exercise the jobs in-process."""
    from partyhub.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
