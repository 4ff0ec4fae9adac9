"""Celery adapters over delivery.py and weekly.py: they take ids, never model instances."""

import os
import socket

from celery import shared_task
from django.utils import timezone

from . import delivery, weekly


def worker_name(task_id: str = "") -> str:
    name = f"{socket.gethostname()}:{os.getpid()}"
    return f"{name}:{task_id}" if task_id else name


@shared_task(
    bind=True,
    name="recruitment.notifications.send_emails",
    autoretry_for=(delivery.TransientSendError,),
    retry_backoff=30,
    retry_backoff_max=15 * 60,
    retry_jitter=True,
    max_retries=5,
)
def send_notification_emails(self, ids=None) -> dict:
    """Email these rows (or, from the beat, every pending one): each at most once, see delivery.py."""
    ids = delivery.sendable_ids() if ids is None else ids
    outcomes = delivery.deliver(ids, worker=worker_name(self.request.id or ""))
    counts: dict[str, int] = {}
    for status in outcomes.values():
        counts[status] = counts.get(status, 0) + 1
    return counts


@shared_task(name="recruitment.notifications.weekly_reminder")
def weekly_deadline_reminder() -> dict:
    """Beat runs this on Monday morning; a second run the same week writes and sends nothing more."""
    ids = weekly.create_weekly(timezone.localdate())
    send_notification_emails.delay(ids)
    return {"pending": len(ids)}
