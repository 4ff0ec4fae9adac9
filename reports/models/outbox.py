"""The recompute outbox (reports/progress/jobs.py): units whose snapshots must be recomputed.

A change that moves a figure writes the rows of the units it touched in its own transaction, so
the request commits or rolls back with the change; a worker drains the table. Nothing about the
pending work lives in Redis: an outage of the broker delays the recompute, it cannot lose it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import Organisation


class PendingRecompute(models.Model):
    """One unit whose snapshots are stale: at most one row per unit, however many changes touched it.

    `requested_at` is the first request since the unit was last recomputed (a later change does not
    move it, so a stream of changes cannot postpone the recompute forever). A drain claims the row
    (`claimed_at`, `claimed_by`: the run's token) and the chunk that recomputed the unit deletes it,
    only if the claim is still its own: a change arriving meanwhile clears the claim, so the unit is
    recomputed once more after that change. A claim older than the lease belongs to a dead worker.
    """

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("tổ chức"), on_delete=models.CASCADE, related_name="pending_recompute"
    )
    requested_at = models.DateTimeField(_("yêu cầu lúc"))
    claimed_at = models.DateTimeField(_("nhận xử lý lúc"), null=True, blank=True)
    claimed_by = models.CharField(_("lượt xử lý"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)

    class Meta:
        verbose_name = _("đơn vị chờ tính lại")
        verbose_name_plural = _("đơn vị chờ tính lại")
        indexes = [models.Index(fields=["requested_at"], name="pending_recompute_requested")]

    def __str__(self) -> str:
        return f"{self.organisation_id} @ {self.requested_at:%Y-%m-%d %H:%M:%S}"
