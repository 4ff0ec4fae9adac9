"""Production mode must be complete or refuse to start; local mode needs nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": "k3y-" + "x7Qp9vLm2Rz8Tn4Wc6Yb1Hd5Jf0Gs3Ka" * 2,
    "ALLOWED_HOSTS": "partyhub.example.vn",
    "EMAIL_URL": "smtp+tls://user:password@smtp.example.vn:587",
}


def _check(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    # The test run itself allows async-unsafe ORM calls for Playwright; production must not.
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_complete_production_configuration_passes_the_deploy_check():
    result = _check(PRODUCTION, "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("missing", "code"),
    [("SECRET_KEY", "partyhub.E001"), ("ALLOWED_HOSTS", "partyhub.E002"), ("EMAIL_URL", "partyhub.E003")],
)
def test_production_without_a_required_setting_fails_loudly(missing, code):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _check(env)
    assert result.returncode != 0
    assert code in result.stderr


def test_local_mode_uses_sqlite_and_eager_jobs_without_configuration():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG")}
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='partyhub.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.TIME_ZONE, s.LANGUAGE_CODE,"
        " s.EMAIL_BACKEND)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "Asia/Ho_Chi_Minh",
        "vi",
        "django.core.mail.backends.console.EmailBackend",
    ]
