"""Celery's autodiscovery imports `<app>.tasks`: the pipeline's tasks live with their capability."""

from .notifications.tasks import send_notification_emails, weekly_deadline_reminder  # noqa: F401
