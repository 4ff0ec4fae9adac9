"""Writes for quotas. Keyword-only, atomic, validated with Vietnamese messages naming the field."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from members.models import Organisation

from ..models import Quota
from ..progress.jobs import request_recompute
from ..progress.terms import load_unit_terms
from ..vocabulary import PeriodKind, QuotaMetric, ValueKind


def check_quota(
    *,
    organisation: Organisation,
    period_kind: str,
    period_start: datetime.date,
    period_end: datetime.date,
    metric: str,
    value_kind: str,
    value: int | None,
    upper: int | None,
    rate_percent: Decimal | None,
    share_attribute: str = "",
) -> dict[str, list[str]]:
    """Every problem with a quota, by field: the form shows them all at once."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if period_end < period_start:
        add("period_end", _("Ngày kết thúc kỳ chỉ tiêu trước ngày bắt đầu."))
    founded, dissolved = organisation.founded_on, organisation.dissolved_on
    if (founded and period_end < founded) or (dissolved and period_start >= dissolved):
        add(
            "period_start",
            _("Kỳ chỉ tiêu nằm ngoài thời gian hoạt động của “%(org)s”%(range)s.")
            % {
                "org": organisation.name,
                "range": (
                    f" ({founded:%d/%m/%Y} – {dissolved:%d/%m/%Y})"
                    if founded and dissolved
                    else (
                        f" (từ {founded:%d/%m/%Y})" if founded else f" (đến {dissolved:%d/%m/%Y})" if dissolved else ""
                    )
                ),
            },
        )
    # A calendar year may straddle two terms (congresses fall mid-year); a custom range may not. The
    # term is the organisation's own (its congress), its nearest ancestor's, or the 1 July default.
    if period_kind == PeriodKind.CUSTOM and period_end >= period_start:
        term = load_unit_terms(organisation).containing(period_start)
        if period_end > term.end:
            add(
                "period_end",
                _("Kỳ chỉ tiêu phải nằm trong một nhiệm kỳ (%(term)s kết thúc ngày %(end)s).")
                % {"term": term.label, "end": term.end.strftime("%d/%m/%Y")},
            )
    if metric == QuotaMetric.SHARE:
        if not share_attribute:
            add("share_attribute", _("Chỉ tiêu tỷ lệ cần chọn đặc điểm được tính (ví dụ: do Đoàn giới thiệu)."))
        if rate_percent is None:
            add("rate_percent", _("Chỉ tiêu tỷ lệ cần nhập tỷ lệ phần trăm."))
    elif value_kind == ValueKind.RATE:
        if rate_percent is None:
            add("rate_percent", _("Chỉ tiêu theo tỷ lệ cần nhập tỷ lệ phần trăm so với đảng viên đầu nhiệm kỳ."))
    elif value is None:
        add("value", _("Hãy nhập số lượng chỉ tiêu."))
    if value is not None and value < 0:
        add("value", _("Chỉ tiêu không thể là số âm (đã nhập %(v)s).") % {"v": value})
    if value_kind == ValueKind.RANGE:
        if upper is None:
            add("upper", _("Chỉ tiêu dạng khoảng cần cả cận trên."))
        elif upper < 0:
            add("upper", _("Cận trên không thể là số âm."))
        elif value is not None and value > upper:
            add("upper", _("Cận dưới (%(lo)s) lớn hơn cận trên (%(hi)s).") % {"lo": value, "hi": upper})
    if rate_percent is not None and not (Decimal(0) < Decimal(rate_percent) <= Decimal(100)):
        add("rate_percent", _("Tỷ lệ phải lớn hơn 0%% và không quá 100%% (đã nhập %(r)s%%).") % {"r": rate_percent})
    return errors


@transaction.atomic
def quota_set(*, organisation: Organisation, by, **fields) -> Quota:
    """Create a quota, or change the one with the same organisation, period, source and metric."""
    errors = check_quota(
        organisation=organisation,
        period_kind=fields["period_kind"],
        period_start=fields["period_start"],
        period_end=fields["period_end"],
        metric=fields.get("metric", QuotaMetric.ADMISSIONS),
        value_kind=fields.get("value_kind", ValueKind.EXACT),
        value=fields.get("value"),
        upper=fields.get("upper"),
        rate_percent=fields.get("rate_percent"),
        share_attribute=fields.get("share_attribute", ""),
    )
    if errors:
        raise ValidationError(errors)
    key = {
        "organisation": organisation,
        "period_start": fields["period_start"],
        "period_end": fields["period_end"],
        "source": fields["source"],
        "metric": fields.get("metric", QuotaMetric.ADMISSIONS),
        "share_attribute": fields.get("share_attribute", ""),
    }
    quota = Quota.objects.select_for_update().filter(**key).first() or Quota(**key)
    for name, value in fields.items():
        setattr(quota, name, value)
    quota.created_by = quota.created_by or by
    quota._history_user = by
    quota.save()
    request_recompute(organisation)
    return quota
