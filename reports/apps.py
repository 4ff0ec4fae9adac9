from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Chỉ tiêu và báo cáo"

    def ready(self):
        # Celery's autodiscovery imports reports.tasks only; the digest's tasks live in a subpackage.
        from .digest import tasks  # noqa: F401
