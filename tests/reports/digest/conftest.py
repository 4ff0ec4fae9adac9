import pytest

from .smtp import SMTPServer


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free port of 127.0.0.1, and Django's SMTP backend pointed at it."""
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 10
        yield server


@pytest.fixture
def mailbox(smtp_server):
    return smtp_server.mailbox


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://partyhub.example.vn"


@pytest.fixture(autouse=True)
def _inline_celery(request):
    """Tasks run in-process here, even in the Redis pass; the worker test brings its own worker."""
    if request.node.get_closest_marker("celery_worker") is None:
        request.getfixturevalue("eager_celery")
    yield
