"""The progress snapshots the jobs compute (reports/progress/jobs.py)."""

from django.db import models

from members.models import Organisation


class ProgressSnapshot(models.Model):
    """The progress report of one organisation and period, as the job last computed it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="progress_snapshots")
    period_key = models.CharField(max_length=30)
    period_start = models.DateField()
    period_end = models.DateField()
    computed_at = models.DateTimeField()
    data = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "period_key"], name="unique_snapshot_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.period_key}"
