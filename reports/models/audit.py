"""The log of sensitive fields shown to a user (reports/audit/reads.py; docs/security.md "Audit")."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SensitiveRead(models.Model):
    """One page or file that showed sensitive fields: one row whatever the number of people in it.

    A person's page names the person (`people`, their Person ids as ",12," so that one is found with a
    LIKE on every database); an export names its unit (the subtree) and how many people it held.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("Người xem")
    )
    at = models.DateTimeField(_("Thời điểm"), auto_now_add=True, db_index=True)
    where = models.CharField(_("Trang hoặc tệp"), max_length=100)
    fields = models.CharField(_("Trường"), max_length=200)
    people = models.TextField(_("Người (mã)"), blank=True, default="")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    count = models.PositiveIntegerField(_("Số người"), default=0)

    class Meta:
        verbose_name = _("Lượt xem dữ liệu nhạy cảm")
        verbose_name_plural = _("Lượt xem dữ liệu nhạy cảm")
        indexes = [models.Index(fields=["user", "at"], name="reports_sensread_user_at")]
        # The audit page (reports/audit/access.py): superusers, and staff given this permission.
        permissions = [("view_audit", _("Xem nhật ký thay đổi và lượt xem dữ liệu nhạy cảm"))]

    def __str__(self) -> str:
        return f"{self.user_id} {self.where} {self.at:%Y-%m-%d %H:%M}"

    @property
    def person_ids(self) -> list[int]:
        return [int(part) for part in self.people.split(",") if part]

    @property
    def field_list(self) -> list[str]:
        return [part for part in self.fields.split(",") if part]
