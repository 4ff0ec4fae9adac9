"""The Celery adapter of reports/import_jobs.py for imports too large to run within the request.

reports/tasks.py imports this module so that autodiscovery (which looks for `tasks.py`) registers it.
"""

from celery import shared_task

from . import import_jobs


@shared_task
def run_import(run_id: int) -> str | None:
    # A redelivered task finds the run already claimed and does nothing (import_jobs._claim).
    return import_jobs.execute_run(run_id)
