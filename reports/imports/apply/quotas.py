"""Rows of the quotas sheet, through `reports.services.quota_set`."""

from django.core.exceptions import ValidationError

from ...quotas.services import quota_set
from ...vocabulary import QuotaMetric
from .context import *  # noqa: F403
from .context import (
    RULE_QUOTA,
    Context,
    refusal,
)

QUOTA_FIELDS = {
    "period_kind": "period",
    "period_start": "period",
    "period_end": "period",
    "organisation": "organisation_code",
    "metric": "metric",
    "share_attribute": "share_attribute",
    "value_kind": "value_kind",
    "value": "value",
    "upper": "upper",
    "rate_percent": "rate_percent",
    "base_members": "base_members",
    "*": "value",
}
QUOTA_VALUES = ("value_kind", "value", "upper", "rate_percent", "base_members", "carry_over", "note")


def apply_quota(ctx: Context, values: dict, row: int) -> str:
    org = ctx.org(values["organisation_code"], "organisation_code")
    period = values["period"]
    fields = {
        "period_kind": period.kind,
        "period_start": period.start,
        "period_end": period.end,
        "source": values["source"],
        "metric": values["metric"] or QuotaMetric.ADMISSIONS,
        "share_attribute": values.get("share_attribute") or "",
        "value_kind": values["value_kind"],
        "value": values.get("value"),
        "upper": values.get("upper"),
        "rate_percent": values.get("rate_percent"),
        "base_members": values.get("base_members"),
        "carry_over": bool(values.get("carry_over")),
        "note": values.get("note") or "",
    }
    existing = org.quotas.filter(
        period_start=period.start,
        period_end=period.end,
        source=fields["source"],
        metric=fields["metric"],
        share_attribute=fields["share_attribute"],
    ).first()
    if existing is not None and all(getattr(existing, k) == fields[k] for k in QUOTA_VALUES):
        return "unchanged"
    try:
        quota_set(organisation=org, by=ctx.user, **fields)
    except ValidationError as error:
        raise refusal(error, QUOTA_FIELDS, "value", RULE_QUOTA) from None
    return "updated" if existing is not None else "created"
