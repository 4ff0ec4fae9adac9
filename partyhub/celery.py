"""The one Celery app of the project; configuration lives in settings under CELERY_*."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyhub.settings")

app = Celery("partyhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
