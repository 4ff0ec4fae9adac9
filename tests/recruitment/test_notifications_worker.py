"""With a real Redis, real Celery workers and a real SMTP server: kill the worker sending the
notification emails mid-run, rerun (the beat's sweep), and every notification is emailed once; a third
run sends nothing (issue 13 item 6, "exactly once, like the digest").

CI's PostgreSQL pass only: the workers are separate processes on the test database and must see
committed rows, hence the transactional database.
"""

import os
import time
from collections import Counter

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from recruitment.models import EmailStatus, Notification, NotificationKind
from recruitment.notifications.tasks import send_notification_emails
from tests.celery_workers import Workers, wait_until
from tests.reports.digest.smtp import SMTPServer

ROWS = 240

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL and a Redis server"),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the worker processes need a database they can share with the test (PostgreSQL)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def smtp():
    with SMTPServer() as server:
        yield server


@pytest.fixture
def workers(transactional_db, smtp):
    workers = Workers(
        "notifications", EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}", SITE_URL="https://partyhub.example.vn"
    )
    try:
        yield workers
    finally:
        workers.stop_all()


def pending_rows() -> list[int]:
    """ROWS notifications to as many users, written as the steps write them (pending email)."""
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"secretary{n}", email=f"secretary{n}@example.vn", password="!") for n in range(ROWS)
    )
    rows = Notification.objects.bulk_create(
        Notification(user=user, kind=NotificationKind.DECISION, title=f"Quyết định kết nạp {n}", body="…")
        for n, user in enumerate(users)
    )
    return [row.pk for row in rows]


def sent() -> int:
    return Notification.objects.filter(email_status=EmailStatus.SENT).count()


def test_a_worker_killed_mid_run_then_the_sweep_emails_every_notification_once(workers, smtp):
    ids = pending_rows()
    smtp.mailbox.delay = 0.05  # a slow server: the worker spends its time holding claims

    first = workers.start()
    send_notification_emails.apply_async(args=[ids], queue=workers.queue)
    wait_until(
        lambda: (
            len(smtp.mailbox.received) >= 30 and Notification.objects.filter(email_status=EmailStatus.CLAIMED).exists()
        ),
        timeout=180,
        step=0.01,
    )
    Workers.kill(first)
    killed_at = time.monotonic()
    time.sleep(0.5)
    left_claimed = Notification.objects.filter(email_status=EmailStatus.CLAIMED).count()
    assert 0 < sent() < ROWS, "the worker should die halfway through the run"

    # The beat's sweep (ids=None: every pending row and every claim older than the lease).
    workers.start(DIGEST_CLAIM_LEASE_SECONDS="3")
    time.sleep(max(0.0, 3.5 - (time.monotonic() - killed_at)))
    send_notification_emails.apply_async(queue=workers.queue).get(timeout=300)
    wait_until(lambda: sent() == ROWS, timeout=300, step=0.2)
    # A third run finds nothing to send.
    assert send_notification_emails.apply_async(queue=workers.queue).get(timeout=120) == {}

    per_address = Counter(received.to for received in smtp.mailbox.received)
    assert set(per_address) == {f"secretary{n}@example.vn" for n in range(ROWS)}
    # At most the dead worker's claimed rows can have reached the server just before the kill and be
    # sent again by the sweep, with the same Message-ID (the window the digest documents).
    doubled = [address for address, count in per_address.items() if count > 1]
    assert len(doubled) <= left_claimed
    ids_per_address: dict[str, set] = {}
    for received in smtp.mailbox.received:
        ids_per_address.setdefault(received.to, set()).add(received.message_id)
    assert all(len(message_ids) == 1 for message_ids in ids_per_address.values())
