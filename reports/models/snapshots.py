"""The progress snapshots the jobs compute (reports/progress/jobs.py)."""

from django.db import models

from members.models import Organisation


class ProgressSnapshot(models.Model):
    """The progress report of one organisation and period as on one date (docs/domain.md, "As-of dates").

    The as-of date is the report's day (`ProgressReport.as_of`: the day asked for, or the period's end
    when that day is later). A report computed for another day (the digest's month) is another row,
    so nothing computed for another date is ever read as today's.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="progress_snapshots")
    period_key = models.CharField(max_length=30)
    period_start = models.DateField()
    period_end = models.DateField()
    as_of = models.DateField()
    computed_at = models.DateTimeField()
    data = models.JSONField()
    # The report's long lists (the subtree's cells without admission and dormant: thousands in a
    # province), when longer than `data` keeps of them: key -> the whole list. The dashboard reads
    # the row without this column (reports/progress/snapshots.py, "Long lists").
    lists = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "period_key", "as_of"], name="unique_snapshot_per_period_and_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.period_key} {self.as_of:%d/%m/%Y}"
