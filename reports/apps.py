from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Chỉ tiêu và báo cáo"

    def ready(self):
        # Celery's autodiscovery imports reports.tasks only; the digest's tasks live in a subpackage.
        # members and recruitment announce changed figures through partyhub/figures.py; the
        # snapshots of the touched units and their ancestors are recomputed (coalesced) after commit.
        from partyhub import figures

        from .digest import tasks  # noqa: F401
        from .jobs import request_recompute

        figures.subscribe(request_recompute)
