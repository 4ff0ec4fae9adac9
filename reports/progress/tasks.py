"""Celery adapters over reports/progress/jobs.py: they take ids, keys and ISO dates, never model instances.

The registered names are those of the module's former place (reports/tasks.py): the beat schedule
and tasks already queued in production call them by name. ReportsConfig.ready() imports this module
so that the worker registers them (autodiscovery looks for reports/tasks.py only).
"""

import datetime

from celery import shared_task

from . import jobs


@shared_task(bind=True, name="reports.tasks.recompute_snapshots")
def recompute_snapshots(self, run_id=None, org_ids=None, today=None, chunk_size=None) -> str:
    """The nightly job (CELERY_BEAT_SCHEDULE): fan out chunks. (The recompute after changes went
    through this task before the outbox; messages still queued under that form run as before.)

    Without `org_ids`, every active or recently dissolved unit; without `chunk_size`, one pass over
    them all (their facts read once). The tasks go to the queue this task came from, so a worker
    dedicated to one queue runs the whole job.
    """
    queue = (getattr(self.request, "delivery_info", None) or {}).get("routing_key")
    return jobs.start_recompute(
        run_id=run_id,
        org_ids=org_ids,
        today=datetime.date.fromisoformat(today) if today else None,
        chunk_size=chunk_size,
        queue=queue,
    )


@shared_task(name="reports.tasks.recompute_chunk_task")
def recompute_chunk_task(run_id, index, org_ids, period_keys, today, claim=None) -> int:
    """One chunk of a run; with `claim` (a run from the outbox), it then deletes the units' outbox rows."""
    # A chunk redelivered after it finished (the worker died before acknowledging) is not redone.
    if run_id and jobs.chunk_is_done(run_id, index):
        return 0
    written = jobs.recompute_chunk(org_ids, period_keys, datetime.date.fromisoformat(today))
    if claim:
        jobs.finish_pending(org_ids, claim)
    if run_id:
        jobs.chunk_mark_done(run_id, index)
    return written


@shared_task(name="reports.progress.recompute_pass_task")
def recompute_pass_task(run_id, org_ids, period_keys, today, claim=None) -> int:
    """A run in one pass: the units' facts read once, the snapshots written a batch at a time, each batch a
    step of the run (and, with `claim`, its units' outbox rows deleted). Delivered again after a worker
    died, it reads the facts again and skips the batches already done."""

    def after_batch(index: int, ids: list[int]) -> None:
        if claim:
            jobs.finish_pending(ids, claim)
        if run_id:
            jobs.chunk_mark_done(run_id, index)

    return jobs.recompute_units(
        org_ids,
        period_keys,
        datetime.date.fromisoformat(today),
        skip=lambda index: bool(run_id) and jobs.chunk_is_done(run_id, index),
        after_batch=after_batch,
    )


@shared_task(bind=True, name="reports.progress.drain_recompute_outbox")
def drain_recompute_outbox(self, today=None) -> list[int]:
    """The outbox drain: every minute (CELERY_BEAT_SCHEDULE) and kicked after the changes that wrote
    rows. Its chunks go to the queue it came from, like the nightly job's."""
    queue = (getattr(self.request, "delivery_info", None) or {}).get("routing_key")
    return jobs.drain(today=datetime.date.fromisoformat(today) if today else None, queue=queue)
