"""The Celery adapter of reports/imports/jobs.py for imports too large to run within the request.

Registered under the name it had as reports/import_tasks.py (runs may be queued under it); the
worker registers it because ReportsConfig.ready() imports this module.
"""

from celery import shared_task

from . import jobs as import_jobs


@shared_task(name="reports.import_tasks.run_import")
def run_import(run_id: int) -> str | None:
    # A redelivered task finds the run already claimed and does nothing (reports/imports/jobs.py, _claim).
    return import_jobs.execute_run(run_id)


@shared_task(name="reports.imports.requeue_waiting_imports")
def requeue_waiting_imports() -> dict[str, list[int]]:
    # The beat's sweep of runs whose task never reached a worker (reports/imports/jobs.py, requeue_waiting).
    return import_jobs.requeue_waiting()
