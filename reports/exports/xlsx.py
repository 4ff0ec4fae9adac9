"""Workbooks (openpyxl): the progress report, Biểu 2-BTCTW, the deadlines and any list of people.

Each function returns the bytes-free `Workbook` written into a file object by `save_to`, so a view
can stream it from a temporary file. The list of people is written in write-only mode from
`.iterator()`: the rows go to the file as they are read, never held twice. Every value goes into its
cell through `cells` (reports/exports/cells.py): a name like "=1+1" is written as text, not a formula.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from members.models import Organisation
from members.vocabulary import Gender, MemberStatus, MovementKind, Occupation
from partyhub import numbers
from recruitment.vocabulary import OPEN_STAGES, Stage

from .. import sensitive
from ..dashboard import selectors as dash
from ..progress import periods
from ..progress.report import ProgressReport
from ..vocabulary import QuotaMetric, QuotaSource, RangeState
from . import cells

# A percentage cell holds the fraction (0.292) shown as 29,2% in the reader's own separators; the row
# functions below keep the report's 0-100 scale (the PDF writes them too), `_rows` divides.
PERCENT_FORMAT = numbers.EXCEL_PERCENT
DECIMAL_FORMAT = numbers.EXCEL_DECIMAL
DATE_FORMAT = "DD/MM/YYYY"
# Rows between two calls of a list's progress callback.
PROGRESS_EVERY = 1000
INTEGER_FORMAT = numbers.EXCEL_INTEGER
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _number(value) -> float | None:
    """The report keeps percentages as strings ("45.0"); the sheet wants numbers."""
    if value in (None, ""):
        return None
    return float(Decimal(str(value)))


def _titles(ws, lines: list[str], width: int) -> int:
    """Merged title rows across `width` columns; returns the next free row."""
    for i, text in enumerate(lines, start=1):
        cells.put(ws, i, 1, text)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=width)
        ws.cell(row=i, column=1).font = TITLE_FONT if i == 1 else BOLD
        ws.cell(row=i, column=1).alignment = Alignment(horizontal="center")
    return len(lines) + 2


def _header(ws, row: int, headers: list[str]) -> None:
    for col, text in enumerate(headers, start=1):
        cell = cells.put(ws, row, col, text)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = CENTRE


def _rows(ws, start: int, rows: list[list], formats: dict[int, str] | None = None) -> int:
    formats = formats or {}
    for r, values in enumerate(rows, start=start):
        for c, value in enumerate(values, start=1):
            cell = _put_number(ws, r, c, value, formats.get(c))
            cell.border = BOX
    return start + len(rows)


def _put_number(ws, row: int, column: int, value, number_format: str | None):
    """A cell with its number format; a percentage (0-100 scale) goes in as the fraction Excel expects."""
    if number_format == PERCENT_FORMAT and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        value = numbers.excel_fraction(value)
    cell = cells.put(ws, row, column, value)
    if number_format:
        cell.number_format = number_format
    return cell


def _widths(ws, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _section(ws, row: int, title: str) -> int:
    cells.put(ws, row, 1, title).font = BOLD
    return row + 1


def _title_lines(report: ProgressReport, heading: str) -> list[str]:
    period = periods.parse(report.period.key)
    start, end, as_of = report.period.start, report.period.end, report.as_of
    return [
        heading,
        report.organisation.name,
        _("%(period)s (từ %(start)s đến %(end)s)")
        % {"period": dash.period_label(period), "start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"},
        _("Số liệu tính đến ngày %(day)s") % {"day": f"{as_of:%d/%m/%Y}"},
    ]


def quota_rows(report: ProgressReport) -> list[list]:
    """[label, target, achieved, percent, expected by now, state] per quota of the unit."""
    rows = []
    for q in report.quotas:
        if q.is_share:
            state = RangeState(q.state).label
            rows.append([q.label, _number(q.target_percent), q.achieved, _number(q.share), None, state])
        else:
            label = f"{QuotaSource(q.source).label} · {QuotaMetric(q.metric).label}"
            rows.append([label, q.target, q.achieved, _number(q.percent), q.expected_by_now, RangeState(q.state).label])
    return rows


def admission_rows(report: ProgressReport) -> list[list]:
    figures = report.admissions
    return [
        [_("Trong kỳ báo cáo"), figures.period],
        [_("Trong tháng"), figures.month],
        [_("Từ đầu năm"), figures.year_to_date],
        [_("Từ đầu nhiệm kỳ %(term)s") % {"term": figures.term}, figures.term_to_date],
        [_("Đảng viên đầu năm"), figures.members_start_of_year],
        [
            _("Tỷ lệ kết nạp từ đầu năm so với số đảng viên đầu năm (%)"),
            _number(figures.year_to_date_pct_of_members),
        ],
    ]


def pipeline_rows(report: ProgressReport) -> list[list]:
    by_stage = report.pipeline.by_stage
    expected = report.forecast.by_stage
    rows = [
        [
            Stage(stage).label,
            by_stage.get(stage.value, 0),
            expected[stage.value].expected if stage.value in expected else None,
        ]
        for stage in OPEN_STAGES
    ]
    rows.append([_("Tổng số"), sum(by_stage.values()), report.forecast.expected])
    return rows


def member_rows(report: ProgressReport) -> list[list]:
    figures = report.members
    rows = [[_("Đầu kỳ"), figures.start], [_("Cuối kỳ"), figures.end], [_("Tăng/giảm"), figures.change]]
    rows += [[MovementKind(kind).label, figures.movements.get(kind, 0)] for kind in MovementKind.values]
    return rows


def child_rows(report: ProgressReport) -> list[list]:
    return [
        [rank, c.name, c.code, c.target, c.achieved, _number(c.percent), c.candidates, _("Có") if c.lagging else ""]
        for rank, c in enumerate(report.children, start=1)
    ]


def breakdown_rows(report: ProgressReport) -> list[list]:
    return [
        [dash._row_label(r.key, r.label), r.this, _number(r.share_of_total), r.last, _number(r.vs_last_pct)]
        for r in report.breakdown.rows
    ]


def _progress_sheet(ws, report: ProgressReport) -> None:
    ws.title = _("Tiến độ")
    row = _titles(ws, _title_lines(report, _("BÁO CÁO KẾT QUẢ CÔNG TÁC PHÁT TRIỂN ĐẢNG VIÊN")), 6)
    ws.freeze_panes = ws.cell(row=row, column=2)
    row = _section(ws, row, _("I. Chỉ tiêu"))
    _header(
        ws, row, [_("Chỉ tiêu"), _("Chỉ tiêu giao"), _("Đã đạt"), _("Tỷ lệ (%)"), _("Cần đạt đến nay"), _("Đánh giá")]
    )
    first = row + 1
    formats = {2: INTEGER_FORMAT, 3: INTEGER_FORMAT, 4: PERCENT_FORMAT, 5: INTEGER_FORMAT}
    row = _rows(ws, first, quota_rows(report) or [[_("Chưa có chỉ tiêu cho kỳ này")]], formats) + 1
    for i, q in enumerate(report.quotas):
        if q.is_share:  # the target of a share quota is a percentage
            _put_number(ws, first + i, 2, _number(q.target_percent), PERCENT_FORMAT)
    row = _section(ws, row, _("II. Kết nạp đảng viên"))
    _header(ws, row, [_("Nội dung"), _("Số lượng")])
    admissions = admission_rows(report)
    end = _rows(ws, row + 1, admissions[:-1], {2: INTEGER_FORMAT})
    end = _rows(ws, end, admissions[-1:], {2: PERCENT_FORMAT})
    row = end + 1
    row = _section(ws, row, _("III. Quần chúng đang theo dõi"))
    _header(ws, row, [_("Giai đoạn"), _("Số người"), _("Dự kiến kết nạp trong kỳ")])
    row = _rows(ws, row + 1, pipeline_rows(report), {2: INTEGER_FORMAT, 3: DECIMAL_FORMAT}) + 1
    row = _section(ws, row, _("IV. Số đảng viên"))
    _header(ws, row, [_("Nội dung"), _("Số lượng")])
    _rows(ws, row + 1, member_rows(report), {2: INTEGER_FORMAT})
    _widths(ws, [52, 16, 12, 12, 18, 18])


def _children_sheet(ws, report: ProgressReport) -> None:
    ws.title = _("Đơn vị trực thuộc")
    row = _titles(ws, _title_lines(report, _("XẾP HẠNG ĐƠN VỊ TRỰC THUỘC")), 8)
    headers = [
        _("STT"),
        _("Đơn vị"),
        _("Mã"),
        _("Chỉ tiêu"),
        _("Đã kết nạp"),
        _("Tỷ lệ (%)"),
        _("Quần chúng đang theo dõi"),
        _("Chậm tiến độ"),
    ]
    _header(ws, row, headers)
    ws.freeze_panes = ws.cell(row=row + 1, column=3)
    formats = {1: INTEGER_FORMAT, 4: INTEGER_FORMAT, 5: INTEGER_FORMAT, 6: PERCENT_FORMAT, 7: INTEGER_FORMAT}
    _rows(ws, row + 1, child_rows(report), formats)
    _widths(ws, [6, 44, 12, 10, 12, 10, 14, 12])


def _breakdown_sheet(ws, report: ProgressReport) -> None:
    ws.title = _("Biểu 2-BTCTW")
    row = _titles(ws, _title_lines(report, _("THỐNG KÊ ĐẢNG VIÊN MỚI KẾT NẠP (BIỂU 2-BTCTW)")), 4)
    compared = report.breakdown.compared_with
    first, final = compared.start, compared.end
    last = f"{first:%d/%m/%Y} – {final:%d/%m/%Y}"
    _header(
        ws,
        row,
        [
            _("Chỉ tiêu thống kê"),
            _("Kỳ này"),
            _("Tỷ lệ trong tổng số (%)"),
            _("Cùng kỳ năm trước (%(dates)s)") % {"dates": last},
            _("So với cùng kỳ (%)"),
        ],
    )
    ws.freeze_panes = ws.cell(row=row + 1, column=2)
    end = _rows(
        ws,
        row + 1,
        breakdown_rows(report),
        {2: INTEGER_FORMAT, 3: PERCENT_FORMAT, 4: INTEGER_FORMAT, 5: PERCENT_FORMAT},
    )
    ages = report.breakdown
    end = _rows(
        ws,
        end,
        [[_("Tuổi bình quân"), _number(ages.average_age), None, _number(ages.average_age_last), None]],
        {2: DECIMAL_FORMAT, 4: DECIMAL_FORMAT},
    )
    if sensitive.withheld(report):  # the rows on ethnicity and religion were left out for this reader
        ws.cell(row=end + 1, column=1, value=str(sensitive.NOTE))
    _widths(ws, [44, 12, 16, 30, 14])


def progress_xlsx(report: ProgressReport) -> Workbook:
    """The progress report of one unit and period: summary, children ranked, Biểu 2."""
    wb = Workbook()
    _progress_sheet(wb.active, report)
    _children_sheet(wb.create_sheet(), report)
    _breakdown_sheet(wb.create_sheet(), report)
    return wb


def breakdown_xlsx(report: ProgressReport) -> Workbook:
    wb = Workbook()
    _breakdown_sheet(wb.active, report)
    return wb


def deadlines_xlsx(organisation: Organisation, today: datetime.date) -> Workbook:
    """Every deadline section of the subtree (recruitment.selectors.deadlines), one row per case."""
    from recruitment.selectors.deadlines import deadlines_for

    deadlines = deadlines_for(organisation, today)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Hạn xử lý")
    row = _titles(
        ws,
        [
            _("DANH SÁCH HẠN XỬ LÝ HỒ SƠ PHÁT TRIỂN ĐẢNG VIÊN"),
            organisation.name,
            _("Tính đến ngày %(day)s") % {"day": f"{today:%d/%m/%Y}"},
        ],
        9,
    )
    headers = [
        _("STT"),
        _("Mục"),
        _("Họ và tên"),
        _("Chi bộ"),
        _("Giai đoạn"),
        _("Hạn"),
        _("Còn lại (ngày)"),
        _("Quá hạn"),
        _("Ghi chú"),
    ]
    _header(ws, row, headers)
    ws.freeze_panes = ws.cell(row=row + 1, column=4)
    rows = []
    for section in deadlines.sections:
        for r in section.rows:
            left = f"{r.days_left} {_('ngày làm việc') if r.in_working_days else _('ngày')}"
            rows.append(
                [
                    len(rows) + 1,
                    section.title,
                    r.name,
                    r.cell_name,
                    Stage(r.stage).label,
                    r.due_on,
                    r.days_left,
                    _("Quá hạn") if r.overdue else "",
                    f"{r.note} ({left})" if r.note else left,
                ]
            )
    _rows(ws, row + 1, rows, {6: DATE_FORMAT, 7: "0"})
    _widths(ws, [6, 30, 28, 28, 24, 12, 14, 10, 50])
    return wb


PEOPLE_WIDTHS = [7, 30, 9, 12, 30, 20, 14, 14, 14, 22]


def people_xlsx(queryset, *, title: str = "", progress: Callable[[int, int], None] | None = None) -> Workbook:
    """A list of members (any filtered queryset of Member), streamed row by row in write-only mode.

    `progress(rows written, rows in all)` is called every PROGRESS_EVERY rows, when given.
    """
    total = queryset.count() if progress else 0
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Danh sách"))
    for i, width in enumerate(PEOPLE_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C4"

    ws.append([cells.write_only(ws, _("DANH SÁCH ĐẢNG VIÊN"), font=TITLE_FONT)])
    ws.append([cells.write_only(ws, title, font=BOLD)])
    headers = [
        _("STT"),
        _("Họ và tên"),
        _("Giới tính"),
        _("Ngày sinh"),
        _("Chi bộ"),
        _("Trạng thái"),
        _("Ngày quyết định kết nạp"),
        _("Ngày công nhận chính thức"),
        _("Số thẻ đảng"),
        _("Nghề nghiệp"),
    ]
    ws.append([cells.write_only(ws, text, font=BOLD, fill=HEADER_FILL, alignment=CENTRE) for text in headers])
    genders, statuses, occupations = (
        {k: str(v) for k, v in vocabulary.choices} for vocabulary in (Gender, MemberStatus, Occupation)
    )

    def dated(value):
        return cells.write_only(ws, value, number_format=DATE_FORMAT)

    rows = queryset.select_related("person", "cell").iterator(chunk_size=2000)
    for n, member in enumerate(rows, start=1):
        if progress and n % PROGRESS_EVERY == 0:
            progress(n, total)
        person = member.person
        ws.append(
            cells.row(
                ws,
                [
                    n,
                    person.full_name,
                    genders.get(person.gender, person.gender),
                    dated(person.date_of_birth),
                    member.cell.name,
                    statuses.get(member.status, member.status),
                    dated(member.admission_decision_date),
                    dated(member.recognition_date),
                    member.card_number,
                    occupations.get(person.occupation, person.occupation),
                ],
            )
        )
    return wb
