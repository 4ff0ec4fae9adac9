"""Ethnicity and religion in the figures (issue 14, finding 5; docs/security.md).

Biểu 2 counts the new members who are of an ethnic minority or religious; a share quota can aim at
either. Over a short period or a small cell those counts name people: "Tổng số 1, Dân tộc thiểu số
1" and the member list of the same day is a list of one. Those fields are for the sensitive-data
roles (members/vocabulary.py SENSITIVE_DATA_ROLES, `scoping.can_see_sensitive`), so every surface
that shows the figures (the dashboard, the .xlsx and PDF exports, the monthly digest) passes the
stored report through `for_viewer` first:

- for a viewer with access, the report is unchanged;
- for anyone else, the breakdown's sensitive rows are left out (the pages and files say why, `NOTE`),
  and a share quota on a sensitive attribute shows a count from 1 to SMALL_COUNT - 1 as "<5", with its
  share of the admissions hidden (it would give the count back).

The stored snapshot keeps every figure: the filtering happens per viewer, when it is read.
"""

from dataclasses import replace

from django.utils.translation import gettext_lazy as _

from members.vocabulary import SENSITIVE_ATTRIBUTES

from .progress.shape import Breakdown, ProgressReport, QuotaProgress

# Counts of people from 1 to SMALL_COUNT - 1 in a sensitive row are not shown to viewers without access.
SMALL_COUNT = 5
SUPPRESSED = f"<{SMALL_COUNT}"
NOTE = _(
    "Số liệu về dân tộc, tôn giáo chỉ hiện cho cấp ủy và ban tổ chức (dữ liệu cá nhân nhạy cảm, "
    "Nghị định 13/2023/NĐ-CP)."
)


def is_sensitive(key: str | None) -> bool:
    return key in SENSITIVE_ATTRIBUTES


def is_small(count) -> bool:
    return isinstance(count, int) and 0 < count < SMALL_COUNT


def shown_count(count, may_see: bool):
    """The count as a viewer may read it: itself, or "<5" for a small one without access."""
    return SUPPRESSED if not may_see and is_small(count) else count


def quota_for_viewer(q: QuotaProgress, may_see: bool) -> QuotaProgress:
    """The quota as this viewer may read it: a small count of a sensitive share quota becomes "<5"."""
    if may_see or not (q.is_share and is_sensitive(q.attribute) and is_small(q.achieved)):
        return q
    # The count becomes "<5"; the share and the percentage of the target would give it back.
    return replace(q, achieved=SUPPRESSED, share=None, percent=None)  # type: ignore[arg-type]


def for_viewer(report: ProgressReport, may_see: bool) -> ProgressReport:
    """The report as this viewer may read it (see the module's docstring)."""
    if may_see:
        return report
    rows = tuple(r for r in report.breakdown.rows if not is_sensitive(r.key))
    breakdown: Breakdown = replace(report.breakdown, rows=rows)
    return replace(report, breakdown=breakdown, quotas=tuple(quota_for_viewer(q, False) for q in report.quotas))


def withheld(report: ProgressReport) -> bool:
    """Were the sensitive rows left out of this report's breakdown (by `for_viewer`)?"""
    return not any(is_sensitive(r.key) for r in report.breakdown.rows)
