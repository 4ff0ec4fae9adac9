"""With a real Redis, real Celery workers and a real SMTP server: kill a worker mid-run, rerun, and
every recipient has the month's digest, never two with different Message-IDs; a third run sends nothing.

CI's PostgreSQL pass only: the workers are separate processes on the test database (pytest-django's
`test_<name>`) and must see committed rows, hence the transactional database.
"""

import datetime
import os
import time
from collections import defaultdict

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from members.models import RoleAssignment
from members.vocabulary import Level, Role
from reports.digest.tasks import send_monthly_digest
from reports.models import DigestDelivery, DigestStatus
from tests.celery_workers import Workers, wait_until
from tests.reports.builders import admit, org, spread

from .smtp import SMTPServer

EDITION = "2026-11"
USERS_PER_CELL = 20
CELLS = 12

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
    # Requesting the database first means the workers are killed before the tables are flushed.
    workers = Workers("digest", EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}", SITE_URL="https://partyhub.example.vn")
    try:
        yield workers
    finally:
        workers.stop_all()


def build_recipients() -> int:
    """A few hundred cell secretaries, made in bulk: 12 cells of 20 secretaries, plus 3 communes."""
    province = org(Level.PROVINCE)
    users, roles = [], []
    User = get_user_model()
    for c in range(3):
        commune = org(Level.COMMUNE, province)
        users.append(User(username=f"commune{c}", email=f"commune{c}@example.vn", password="!"))
        roles.append((len(users) - 1, commune, Role.COMMITTEE_SECRETARY))
        for k in range(CELLS // 3):
            cell = org(Level.CELL, commune)
            admit(cell, spread(2, datetime.date(2026, 10, 1), datetime.date(2026, 10, 30)))
            for n in range(USERS_PER_CELL):
                name = f"cell{c}-{k}-{n}"
                users.append(User(username=name, email=f"{name}@example.vn", password="!"))
                roles.append((len(users) - 1, cell, Role.CELL_SECRETARY))
    created = User.objects.bulk_create(users)
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=created[i], organisation=unit, role=role) for i, unit, role in roles
    )
    return len(created)


def sent_rows() -> int:
    return DigestDelivery.objects.filter(status=DigestStatus.SENT).count()


def test_a_worker_killed_mid_run_then_a_rerun_sends_everyone_once_and_a_third_run_nothing(workers, smtp):
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    total = build_recipients()
    assert total > 200
    # A slow server: most of a worker's time is spent waiting for it to answer DATA, holding a claim.
    smtp.mailbox.delay = 0.05

    first = workers.start()
    send_monthly_digest.apply_async(kwargs={"month": EDITION, "chunk_size": 10}, queue=workers.queue)
    wait_until(
        lambda: (
            len(smtp.mailbox.received) >= 40 and DigestDelivery.objects.filter(status=DigestStatus.CLAIMED).exists()
        ),
        timeout=180,
        step=0.01,
    )
    Workers.kill(first)
    killed_at = time.monotonic()
    # An UPDATE the worker sent just before the kill may still land ("sent" after all): let it, so
    # that the rows counted as left claimed are those the dead worker really left.
    time.sleep(0.5)
    left_claimed = DigestDelivery.objects.filter(status=DigestStatus.CLAIMED).count()
    sent_when_killed = sent_rows()
    assert 0 < sent_when_killed < total, "the worker should die halfway through the run"
    # One worker process, one batch at a time: a batch claims its chunk (10 here) and writes the outcomes
    # when it ends, so a worker killed mid-batch leaves at most that chunk claimed (docs/digest.md).
    assert left_claimed <= 10

    # A new worker, with a lease short enough for the test to see the dead worker's claim taken over.
    workers.start(DIGEST_CLAIM_LEASE_SECONDS="3")
    time.sleep(max(0.0, 3.5 - (time.monotonic() - killed_at)))
    rerun = send_monthly_digest.apply_async(kwargs={"month": EDITION, "chunk_size": 25}, queue=workers.queue)
    assert rerun.get(timeout=120)["started"]
    wait_until(lambda: sent_rows() == total, timeout=300, step=0.2)
    time.sleep(1)  # let any chunk still in the queue finish: it must find nothing left to send

    ids_by_address = defaultdict(set)
    for received in smtp.mailbox.received:
        ids_by_address[received.to].add(received.message_id)
    expected = set(DigestDelivery.objects.values_list("email", flat=True))
    assert set(ids_by_address) == expected and len(expected) == total
    assert all(len(ids) == 1 for ids in ids_by_address.values()), "a recipient got two different digests"
    assert DigestDelivery.objects.filter(status=DigestStatus.SENT).count() == total
    # The dead worker's claim was taken over; if the server had accepted that message before the kill,
    # the recipient has it twice, with the same Message-ID (the window docs/digest.md describes).
    assert DigestDelivery.objects.filter(taken_over=True).count() == left_claimed
    assert len(smtp.mailbox.received) - total <= left_claimed

    before = len(smtp.mailbox.received)
    third = send_monthly_digest.apply_async(kwargs={"month": EDITION}, queue=workers.queue).get(timeout=120)
    assert third == {"started": True, "month": EDITION, "deliveries": 0, "chunks": 0}
    time.sleep(1)
    assert len(smtp.mailbox.received) == before
