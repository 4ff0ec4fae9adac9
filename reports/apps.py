from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Chỉ tiêu và báo cáo"

    def ready(self):
        # Celery's autodiscovery imports reports.tasks only, which no longer exists: every capability
        # keeps its tasks in its own subpackage, imported here so that a worker registers them (under
        # the names they had before the split, see each module).
        # members and recruitment announce changed figures through partyhub/figures.py; the
        # touched units and their ancestors are written to the recompute outbox in the change's
        # transaction and recomputed (coalesced) by a worker after the commit.
        from partyhub import figures

        from .digest import tasks as digest_tasks  # noqa: F401
        from .exports import tasks as exports_tasks  # noqa: F401
        from .imports import tasks as imports_tasks  # noqa: F401
        from .progress import tasks as progress_tasks  # noqa: F401
        from .progress.jobs import request_recompute

        figures.subscribe(request_recompute)

        # The audit trail (reports/audit): history rows written inside `history_author` get its author
        # and reason; the pages and exports that show sensitive fields are logged (partyhub/audit.py).
        from simple_history.signals import pre_create_historical_record

        from partyhub import audit

        from .audit.authors import fill_author
        from .audit.reads import record_sensitive_read

        pre_create_historical_record.connect(fill_author, dispatch_uid="reports.audit.fill_author")
        audit.subscribe(record_sensitive_read)
