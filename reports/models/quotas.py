"""Quotas (chỉ tiêu): what a unit is to achieve in a period, with their history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Organisation

from ..vocabulary import PeriodKind, QuotaMetric, QuotaSource, ShareAttribute, ValueKind


class Quota(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("tổ chức"), on_delete=models.PROTECT, related_name="quotas"
    )
    period_kind = models.CharField(_("loại kỳ"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    source = models.CharField(_("nguồn chỉ tiêu"), max_length=12, choices=QuotaSource.choices)
    metric = models.CharField(_("nội dung"), max_length=12, choices=QuotaMetric.choices, default=QuotaMetric.ADMISSIONS)
    share_attribute = models.CharField(
        _("đặc điểm (chỉ tiêu tỷ lệ)"), max_length=50, choices=ShareAttribute.choices, blank=True
    )
    value_kind = models.CharField(_("dạng chỉ tiêu"), max_length=8, choices=ValueKind.choices, default=ValueKind.EXACT)
    # exact: the count; range: the lower bound; rate/share: unused (see rate_percent)
    value = models.IntegerField(_("số lượng / cận dưới"), null=True, blank=True)
    upper = models.IntegerField(_("cận trên"), null=True, blank=True)
    rate_percent = models.DecimalField(_("tỷ lệ (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    # For a rate quota: the members at the start of the term as the resolution states them; when
    # empty the count is taken from the member movements on the term's first day.
    base_members = models.PositiveIntegerField(_("số đảng viên đầu nhiệm kỳ"), null=True, blank=True)
    carry_over = models.BooleanField(
        _("cộng phần thiếu vào chỉ tiêu năm sau"),
        default=False,
        help_text=_("Cấp trên quy định: phần chưa đạt của năm này được cộng vào chỉ tiêu năm sau."),
    )
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        indexes = [models.Index(fields=["organisation", "period_start", "period_end"], name="quota_org_period")]

    def __str__(self) -> str:
        return f"{self.organisation} {self.period_start:%Y}–{self.period_end:%Y} {self.get_source_display()}"
