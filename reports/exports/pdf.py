"""The progress report as a printable A4 PDF (WeasyPrint), laid out as a Party committee's report.

The letterhead follows the Party's documents: the committee's name on the left, "ĐẢNG CỘNG SẢN
VIỆT NAM" on the right with the place and date line under it; then the title, the quota table,
the admissions, the candidates in the pipeline, the children ranked and the signature block.
"""

import datetime

from django.template.loader import render_to_string

from members.models import Organisation
from members.vocabulary import CELL_LEVELS
from partyhub import numbers

from ..dashboard import selectors as dash
from ..progress import periods
from ..progress.report import ProgressReport
from . import common
from . import xlsx as tables


def context(organisation: Organisation, report: ProgressReport, today: datetime.date) -> dict:
    period = periods.parse(report.period.key)
    parent = Organisation.objects.get_parent(organisation) if organisation.depth > 1 else None
    is_cell = organisation.level in CELL_LEVELS
    return {
        "organisation": organisation,
        "superior": parent.name.upper() if parent else "",
        "committee": common.committee_name(organisation).upper(),
        "date_line": common.date_line(common.place_name(organisation), today),
        "period_label": dash.period_label(period),
        "start": report.period.start,
        "end": report.period.end,
        "as_of": report.as_of,
        "quotas": _quota_rows(report),
        "admissions": tables.admission_rows(report),
        "pipeline": tables.pipeline_rows(report),
        "members": tables.member_rows(report),
        "children": tables.child_rows(report),
        "reachable": report.forecast.reachable,
        "on_behalf": "T/M CHI BỘ" if is_cell else "T/M BAN THƯỜNG VỤ",
        "signer": "BÍ THƯ",
    }


def _quota_rows(report: ProgressReport) -> list[list]:
    """The quota rows with the target written out: a share target is a percentage, a count a number."""
    rows = tables.quota_rows(report)
    for row, q in zip(rows, report.quotas, strict=True):
        row[1] = numbers.percent(row[1]) if q.is_share else numbers.number(row[1])
    return rows


def html(organisation: Organisation, report: ProgressReport, today: datetime.date) -> str:
    return render_to_string("reports/exports/progress.html", context(organisation, report, today))


def progress_pdf(organisation: Organisation, report: ProgressReport, today: datetime.date) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango is slow and only the export needs it

    return HTML(string=html(organisation, report, today)).write_pdf()
