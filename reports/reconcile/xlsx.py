"""Workbooks of the reconciliation: the difference report, and the upward export.

Both are written in write-only mode, row after row. The upward export has exactly the national
list's columns (national.COLUMNS) under a single header row and nothing above it, so the national
database's import, and our own reconciliation, read it back as it is. Citizen IDs are written as
text so that their leading zeros survive, and every string goes into a string cell
(reports/exports/cells.py): a name like "=1+1" is text, never a formula.
"""

import datetime
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter

from members.vocabulary import MemberStatus

from ..exports import cells
from ..exports.xlsx import BOLD, CENTRE, DATE_FORMAT, HEADER_FILL, TITLE_FONT
from . import national
from .compare import OurRow, Reconciliation

TEXT_FORMAT = "@"


class _Sheet:
    """A write-only sheet with the few cell kinds the reconciliation needs."""

    def __init__(self, book: Workbook, title: str, widths: list[int]):
        self.ws = book.create_sheet(title)
        for i, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width

    def cell(self, value, *, font=None, fill=None, number_format=None, alignment=None) -> Cell:
        if isinstance(value, datetime.datetime):
            value = value.date()
        if value == "":
            value = None
        if isinstance(value, datetime.date) and not number_format:
            number_format = DATE_FORMAT
        return cells.write_only(self.ws, value, number_format=number_format, font=font, fill=fill, alignment=alignment)

    def title(self, text: str) -> None:
        self.ws.append([self.cell(text, font=TITLE_FONT)])

    def line(self, *values) -> None:
        self.ws.append([self.cell(v, font=BOLD) if i == 0 else self.cell(v) for i, v in enumerate(values)])

    def header(self, headers: list[str]) -> None:
        self.ws.append([self.cell(h, font=BOLD, fill=HEADER_FILL, alignment=CENTRE) for h in headers])

    def row(self, values: list, text_columns: Iterable[int] = ()) -> None:
        text = set(text_columns)
        self.ws.append([self.cell(v, number_format=TEXT_FORMAT if i in text else None) for i, v in enumerate(values)])


def _status(code: str) -> str:
    return str(MemberStatus(code).label) if code in MemberStatus.values else code


def _empty(sheet: _Sheet, text: str) -> None:
    sheet.ws.append(cells.row(sheet.ws, [text]))


def report_xlsx(result: Reconciliation, *, organisation_name: str, file_name: str, made_at: datetime.datetime):
    """The difference report: a summary, then one sheet per group and one for the rows not read."""
    book = Workbook(write_only=True)
    counts = result.counts

    summary = _Sheet(book, _("Tóm tắt"), [48, 16])
    summary.title(_("ĐỐI CHIẾU DANH SÁCH ĐẢNG VIÊN VỚI CSDL ĐẢNG VIÊN"))
    summary.line(organisation_name)
    summary.line(_("Tệp đối chiếu"), file_name)
    summary.line(_("Thời điểm đối chiếu"), made_at.strftime("%d/%m/%Y %H:%M"))
    summary.ws.append([])
    summary.header([_("Nội dung"), _("Số lượng")])
    for label, key in (
        (_("Đảng viên trên PartyHub (dự bị và chính thức)"), "ours"),
        (_("Người trong danh sách CSDL đảng viên (đọc được)"), "theirs"),
        (_("Khớp hoàn toàn"), "identical"),
        (_("Khớp theo Số CCCD nhưng khác thông tin"), "differing"),
        (_("Chỉ khớp theo họ tên và ngày sinh"), "matched_by_name_dob"),
        (_("Chỉ có trên PartyHub"), "only_here"),
        (_("Chỉ có trong CSDL đảng viên"), "only_there"),
        (_("Dòng không đọc được, không đối chiếu"), "problems"),
    ):
        summary.row([label, counts[key]])
    if not all(k in result.compared_fields for k in national.BY_KEY):
        missing = ", ".join(c.header for c in national.COLUMNS if c.key not in result.compared_fields)
        summary.ws.append([])
        summary.line(_("Tệp không có cột %(columns)s: các thông tin này không được so sánh.") % {"columns": missing})

    person_headers = [national.CITIZEN_ID.header, national.FULL_NAME.header, national.DATE_OF_BIRTH.header]
    dates = [national.ADMISSION.header, national.RECOGNITION.header]

    here = _Sheet(book, _("Chỉ có trên PartyHub"), [6, 15, 28, 12, 36, 14, 14, 12, 60])
    here.header([_("STT"), *person_headers, national.CELL.header, *dates, _("Trạng thái"), _("Ghi chú")])
    for n, item in enumerate(result.only_here, start=1):
        o = item.ours
        here.row(
            [
                n,
                o.citizen_id,
                o.full_name,
                o.date_of_birth,
                o.cell,
                o.admission_decision_date,
                o.recognition_date,
                _status(o.status),
                item.note,
            ],
            text_columns=[1],
        )
    if not result.only_here:
        _empty(here, _("Không có."))

    there = _Sheet(book, _("Chỉ có trong CSDL"), [8, 15, 28, 12, 36, 14, 14, 60])
    there.header([_("Dòng trong tệp"), *person_headers, national.CELL.header, *dates, _("Ghi chú")])
    for item in result.only_there:
        t = item.theirs
        note = item.note
        if item.left_member is not None:
            gone = _("Trên PartyHub đã ra khỏi danh sách (%(status)s, %(cell)s).") % {
                "status": _status(item.left_member.status),
                "cell": item.left_member.cell,
            }
            note = f"{gone} {note}".strip()
        there.row(
            [
                t.row,
                t.citizen_id,
                t.full_name,
                t.date_of_birth,
                t.cell,
                t.admission_decision_date,
                t.recognition_date,
                note,
            ],
            text_columns=[1],
        )
    if not result.only_there:
        _empty(there, _("Không có."))

    differing = _Sheet(book, _("Khác thông tin"), [8, 15, 28, 26, 36, 36])
    differing.header(
        [
            _("Dòng trong tệp"),
            national.CITIZEN_ID.header,
            _("Họ và tên (PartyHub)"),
            _("Thông tin"),
            _("Trên PartyHub"),
            _("Trong CSDL đảng viên"),
        ]
    )
    for pair in result.differing:
        for d in pair.differences:
            differing.row(
                [pair.theirs.row, pair.ours.citizen_id, pair.ours.full_name, d.label, _value(d.ours), _value(d.theirs)],
                text_columns=[1],
            )
    if not result.differing:
        _empty(differing, _("Không có."))

    by_name = _Sheet(book, _("Khớp theo tên và ngày sinh"), [8, 28, 12, 18, 18, 30, 60])
    by_name.header(
        [
            _("Dòng trong tệp"),
            national.FULL_NAME.header,
            national.DATE_OF_BIRTH.header,
            _("Số CCCD trên PartyHub"),
            _("Số CCCD trong CSDL"),
            _("Cần bổ sung"),
            _("Thông tin khác nhau"),
        ]
    )
    for pair in result.matched_by_name_dob:
        other = "; ".join(f"{d.label}: {d.ours_text} / {d.theirs_text}" for d in pair.differences)
        by_name.row(
            [
                pair.theirs.row,
                pair.ours.full_name,
                pair.ours.date_of_birth,
                pair.ours.citizen_id,
                pair.theirs.citizen_id,
                pair.missing_citizen_id,
                other,
            ],
            text_columns=[3, 4],
        )
    if not result.matched_by_name_dob:
        _empty(by_name, _("Không có."))

    if result.problems:
        problems = _Sheet(book, _("Dòng không đọc được"), [8, 26, 30, 80])
        problems.header([_("Dòng trong tệp"), _("Cột"), _("Giá trị"), _("Lý do")])
        for p in result.problems:
            problems.row([p.row, p.column, p.value, p.message], text_columns=[2])
    return book


def _value(value):
    """Dates stay dates in the sheet; "(trống)" marks an empty side."""
    return "(trống)" if value in (None, "") else value


def upward_xlsx(rows: Iterable[OurRow]) -> Workbook:
    """The members admitted or recognised in a period, in exactly the national list's columns."""
    book = Workbook(write_only=True)
    sheet = _Sheet(book, _("Danh sách"), [16, 30, 12, 40, 16, 16])
    sheet.ws.freeze_panes = "A2"
    sheet.header(national.HEADERS)
    for o in rows:
        sheet.row(
            [o.citizen_id, o.full_name, o.date_of_birth, o.cell_name, o.admission_decision_date, o.recognition_date],
            text_columns=[0],
        )
    return book
