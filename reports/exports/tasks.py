"""The Celery adapter of reports/exports/jobs.py; registered because ReportsConfig.ready() imports it."""

from celery import shared_task

from . import jobs as export_jobs


@shared_task(name="reports.exports.run_export")
def run_export(run_id: int) -> str | None:
    # A redelivered task finds the run already claimed and does nothing (jobs._claim).
    return export_jobs.execute_run(run_id)


@shared_task(name="reports.exports.requeue_waiting_exports")
def requeue_waiting_exports() -> dict[str, list[int]]:
    return export_jobs.requeue_waiting()
