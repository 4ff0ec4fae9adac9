"""`manage.py progress_report --org CODE --period 2023 [--format json|table]`: the dashboard's figures.

The report is computed afresh with reports.progress.report.progress_report, the function the snapshots store,
so the figures are the ones the dashboard shows after a recompute. Its queries do not depend on the
size of the subtree: one to find the unit, then the report's fixed set.
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Organisation
from members.vocabulary import MovementKind
from partyhub import numbers
from recruitment.vocabulary import Stage
from reports.progress import periods
from reports.progress.report import ProgressReport, progress_report
from reports.vocabulary import RangeState


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _pct(value) -> str:
    return "–" if value is None else numbers.percent(value)


def _number(value) -> str:
    return "–" if value is None else str(value)


def table(headers: list[str], rows: list[list[str]], numeric_from: int = 1) -> list[str]:
    """A plain text table; columns from `numeric_from` on are right-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells):
        out = []
        for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
            out.append(str(cell).rjust(width) if i >= numeric_from else str(cell).ljust(width))
        return "  ".join(out).rstrip()

    return [line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def render_table(report: ProgressReport) -> str:
    org, period, adm = report.organisation, report.period, report.admissions
    lines = [
        f"{org.name} ({org.code}) · {period.label} · " + _("số liệu đến %(day)s") % {"day": f"{report.as_of:%d/%m/%Y}"},
        "",
        _("CHỈ TIÊU"),
    ]
    if report.quotas:
        rows = []
        for q in report.quotas:
            if q.is_share:
                rows.append(
                    [
                        q.label,
                        f"≥ {q.target_percent}%",
                        f"{q.achieved}/{q.out_of}",
                        _pct(q.share),
                        _label(RangeState, q.state),
                    ]
                )
            else:
                target = str(q.target) if q.upper is None else f"{q.target}-{q.upper}"
                rows.append([q.label, target, str(q.achieved), _pct(q.percent), _label(RangeState, q.state)])
        lines += table([_("Chỉ tiêu"), _("Mục tiêu"), _("Đã đạt"), _("Tỷ lệ"), _("Tình trạng")], rows, numeric_from=1)
    else:
        lines.append(_("Chưa có chỉ tiêu cho kỳ này."))

    lines += [
        "",
        _("KẾT NẠP"),
        _("Trong kỳ: %(period)s · tháng này: %(month)s · từ đầu năm: %(ytd)s · từ đầu nhiệm kỳ %(term)s: %(ttd)s")
        % {
            "period": adm.period,
            "month": adm.month,
            "ytd": adm.year_to_date,
            "term": adm.term,
            "ttd": adm.term_to_date,
        },
        _("Từ đầu năm bằng %(pct)s số đảng viên đầu năm (%(members)s).")
        % {"pct": _pct(adm.year_to_date_pct_of_members), "members": adm.members_start_of_year},
        "",
        _("QUẦN CHÚNG THEO BƯỚC"),
    ]
    pipeline = report.pipeline
    lines += table(
        [_("Bước"), _("Số người")],
        [[_label(Stage, stage), str(n)] for stage, n in pipeline.by_stage.items()],
    )
    lines.append(
        _(
            "Giới thiệu trong kỳ: %(introduced)s · học lớp bồi dưỡng trong kỳ: %(trained)s · "
            "kết nạp so với số đã học: %(conversion)s"
        )
        % {
            "introduced": pipeline.introduced_in_period,
            "trained": pipeline.trained_in_period,
            "conversion": _pct(pipeline.conversion_trained_to_admitted),
        }
    )

    forecast = report.forecast
    lines += [
        "",
        _("DỰ BÁO"),
        _("Kỳ đã kết thúc: không còn dự báo kết nạp.")
        if forecast.closed
        else _("Dự kiến kết nạp thêm đến hết kỳ: %(expected)s người; đã có quyết định, chờ lễ kết nạp: %(waiting)s.")
        % {"expected": numbers.number(forecast.expected), "waiting": forecast.decided_awaiting_ceremony},
        *(
            _("- %(stage)s: %(n)s người đã chờ quá thời gian thường lệ (%(waited)s ngày, thường %(usual)s ngày).")
            % {
                "stage": Stage(group.stage).label,
                "n": len(group.waited_days),
                "waited": ", ".join(str(days) for days in group.waited_days),
                "usual": group.usual_days,
            }
            for group in forecast.stalled
        ),
        *(f"- {statement.text}" for statement in forecast.reachable),
    ]

    if report.children:
        lines += ["", _("ĐƠN VỊ TRỰC THUỘC (xếp hạng)")]
        rows = [
            [
                str(rank),
                child.name,
                str(child.achieved),
                _number(child.target),
                _pct(child.percent),
                str(child.candidates),
                _("chậm") if child.lagging else "",
            ]
            for rank, child in enumerate(report.children, start=1)
        ]
        lines += table(
            ["#", _("Đơn vị"), _("Kết nạp"), _("Chỉ tiêu"), _("Tỷ lệ"), _("Quần chúng"), ""],
            rows,
            numeric_from=2,
        )

    members = report.members
    lines += [
        "",
        _("ĐẢNG VIÊN"),
        _("Đầu kỳ: %(start)s · cuối kỳ: %(end)s · tăng/giảm: %(change)+d")
        % {"start": members.start, "end": members.end, "change": members.change},
        " · ".join(f"{_label(MovementKind, kind)}: {n}" for kind, n in members.movements.items()),
    ]
    if report.no_admission:
        lines += [
            "",
            _("Chi bộ chưa kết nạp ai trong kỳ: %(names)s") % {"names": ", ".join(u.name for u in report.no_admission)},
        ]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "In báo cáo tiến độ phát triển đảng viên của một tổ chức trong một kỳ (cùng số liệu với trang tổng quan)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Mã tổ chức, ví dụ X01.")
        parser.add_argument(
            "--period",
            required=True,
            help="2020-2025 (nhiệm kỳ), 2023 (năm), 2023-04 (tháng) hoặc 2023-01-01..2023-06-30.",
        )
        parser.add_argument("--format", choices=["json", "table"], default="table", help="json hoặc table.")
        parser.add_argument("--today", help="Tính như vào ngày này (YYYY-MM-DD); mặc định hôm nay.")

    def handle(self, *args, org, period, format, today, **options):
        try:
            parsed = periods.parse(period)
        except periods.PeriodError as error:
            raise CommandError(str(error)) from None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(
                    _("Ngày không hợp lệ: “%(value)s”; dùng dạng YYYY-MM-DD.") % {"value": today}
                ) from None
        else:
            day = timezone.localdate()
        organisation = Organisation.objects.filter(code=org).first()
        if organisation is None:
            raise CommandError(_("Không có tổ chức mã “%(code)s”.") % {"code": org})
        report = progress_report(organisation, parsed, day)
        if format == "json":
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_table(report))
