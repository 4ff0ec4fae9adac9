"""Celery adapters over delivery.py: they take ids and ISO dates, never model instances."""

import datetime

from celery import shared_task
from django.utils import timezone

from members.models import Organisation

from . import delivery, schedule


def _edition(month: str) -> datetime.date:
    """ "2026-11" or "2026-11-01" → 1 November 2026."""
    return datetime.date.fromisoformat(month if len(month) > 7 else f"{month}-01").replace(day=1)


@shared_task(bind=True)
def send_monthly_digest(self, month=None, org_id=None, chunk_size=delivery.CHUNK_SIZE) -> dict:
    """Beat runs this every day at 07:00 (CELERY_BEAT_SCHEDULE); without `month` it starts the
    month's edition on the first working day only and returns at once on every other day.

    Running it twice the same day queues the unsent rows again; claims make the second pass a no-op.
    The chunks go to the queue this task came from, so a worker dedicated to one queue runs it all.
    """
    today = timezone.localdate()
    if month is None:
        if not schedule.is_digest_day(today):
            return {"started": False, "today": today.isoformat()}
        edition = schedule.edition(today)
    else:
        edition = _edition(month)
    within = Organisation.objects.get(pk=org_id) if org_id else None
    queue = (getattr(self.request, "delivery_info", None) or {}).get("routing_key")
    return {"started": True, **delivery.digest_start(edition, within=within, chunk_size=chunk_size, queue=queue)}


@shared_task(
    bind=True,
    autoretry_for=(delivery.TransientSendError,),
    retry_backoff=30,
    retry_backoff_max=15 * 60,
    retry_jitter=True,
    max_retries=5,
)
def deliver_digest_chunk(self, delivery_ids) -> dict:
    return dict(delivery.deliver_chunk(delivery_ids, worker=delivery.worker_name(self.request.id or "")))
