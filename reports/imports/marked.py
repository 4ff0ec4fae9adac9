"""The uploaded workbook handed back with its problems marked, so a committee fixes them in place.

Each sheet with problems gets a "Lỗi" column holding, beside each refused row, every message for
that row; the offending cells are filled light red; a first sheet "Báo cáo lỗi" lists every
problem, including those of the file or a sheet as a whole. A workbook marked once and uploaded
again is marked afresh: its old "Lỗi" column and report sheet are reused and cleared, not doubled.
What this module writes goes in through reports/exports/cells.py: a value the user typed as "=..."
and quoted in a message stays text, never a formula in our file.
"""

import io
import warnings
from collections import defaultdict

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ..exports.cells import put
from . import cells, guard, reader
from .report import Issue

REPORT_TITLE = "Báo cáo lỗi"
ERROR_HEADER = "Lỗi"
REPORT_HEADERS = ["Trang tính", "Dòng", "Cột", "Giá trị", "Lỗi", "Quy định"]

BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
ERROR_HEADER_FILL = PatternFill("solid", fgColor="C00000")
ERROR_HEADER_FONT = Font(bold=True, color="FFFFFF")
ERROR_FONT = Font(color="9C0006")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
WRAP = Alignment(vertical="top", wrap_text=True)
NO_FILL = PatternFill(fill_type=None)


def line(issue: Issue) -> str:
    """One message as the "Lỗi" column shows it: "Cột Ngày sinh: ... (Ngày dạng dd/mm/yyyy ...)"."""
    text = f"Cột {issue.column}: {issue.message}" if issue.column else issue.message
    return f"{text} ({issue.rule})" if issue.rule else text


def marked_workbook(data: bytes, issues: list[Issue]) -> bytes:
    book = _open(data)
    if book is None:
        book = Workbook()
        book.remove(book.active)
    elif REPORT_TITLE in book.sheetnames:
        book.remove(book[REPORT_TITLE])

    by_sheet: dict[str, list[Issue]] = defaultdict(list)
    for issue in issues:
        if issue.row is not None and issue.row > 1 and issue.sheet:
            by_sheet[cells.fold(issue.sheet)].append(issue)
    for ws in book.worksheets:
        if isinstance(ws, Worksheet):
            _mark_sheet(ws, by_sheet.get(cells.fold(ws.title), []))

    report = book.create_sheet(REPORT_TITLE, 0)
    _report(report, book, issues)
    book.active = 0
    for ws in book.worksheets:
        # Several sheets left selected would group them, and an edit would then hit them all.
        ws.sheet_view.tabSelected = ws is report
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _open(data: bytes):
    """The workbook, or None for anything that is not one (a renamed .csv, a broken, oversized or hostile file)."""
    # Loading in full costs many times the file's size in memory: past the import limit, the
    # engine refused the file anyway and the report sheet alone says why.
    if len(data) > reader.max_bytes():
        return None
    try:
        # A file the guard refuses (a zip bomb, 20 million empty rows...) would take the worker down.
        guard.check(io.BytesIO(data), max_rows=reader.MAX_ROWS, rows_rule=reader.RULE_ROWS)
    except guard.Refused:
        return None
    try:
        with warnings.catch_warnings():
            # openpyxl warns about every Excel extension it drops (slicers, some validations).
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - whatever the parser chokes on, the answer is a report-only workbook
        return None


def _mark_sheet(ws: Worksheet, issues: list[Issue]) -> None:
    headers = {}
    error_column = None
    for cell in next(ws.iter_rows(min_row=1, max_row=1), ()):
        if cells.is_blank(cell.value):
            continue
        key = cells.fold(cell.value)
        if key == cells.fold(ERROR_HEADER) and error_column is None:
            error_column = cell.column
        else:
            headers.setdefault(key, cell.column)
    if error_column is not None:
        _clear_previous_marks(ws, error_column)
    if not issues:
        if error_column is not None:
            # Emptied rather than deleted: deleting would not move validations or merges after it.
            ws.cell(row=1, column=error_column).value = None
            ws.cell(row=1, column=error_column).style = "Normal"
        return
    if error_column is None:
        error_column = ws.max_column + 1

    header = put(ws, 1, error_column, ERROR_HEADER)
    header.font = ERROR_HEADER_FONT
    header.fill = ERROR_HEADER_FILL
    header.alignment = Alignment(horizontal="center", vertical="center")
    ws.column_dimensions[get_column_letter(error_column)].width = 70

    by_row: dict[int, list[Issue]] = defaultdict(list)
    for issue in issues:
        by_row[issue.row].append(issue)
    for row, row_issues in by_row.items():
        cell = put(ws, row, error_column, "\n".join(line(i) for i in row_issues))
        cell.font = ERROR_FONT
        cell.alignment = WRAP
        for issue in row_issues:
            column = headers.get(cells.fold(issue.column)) if issue.column else None
            if column is not None:
                ws.cell(row=row, column=column).fill = BAD_FILL


def _clear_previous_marks(ws: Worksheet, error_column: int) -> None:
    """Undo an earlier marking: empty the "Lỗi" column and un-fill the cells filled in our red."""
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.column == error_column:
                cell.value = None
            elif cell.fill is not None and cell.fill.fill_type == "solid" and _rgb(cell.fill) == _rgb(BAD_FILL):
                cell.fill = NO_FILL


def _rgb(fill: PatternFill) -> str:
    return str(getattr(fill.fgColor, "rgb", ""))[-6:].upper()


def _report(ws: Worksheet, book: Workbook, issues: list[Issue]) -> None:
    for column, text in enumerate(REPORT_HEADERS, start=1):
        cell = put(ws, 1, column, text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    titles = {cells.fold(title): title for title in book.sheetnames}
    for row, issue in enumerate(issues, start=2):
        values = [issue.sheet, issue.row, issue.column, issue.value, issue.message, issue.rule]
        for column, value in enumerate(values, start=1):
            if value not in (None, ""):
                put(ws, row, column, value)
        ws.cell(row=row, column=5).alignment = WRAP
        title = titles.get(cells.fold(issue.sheet)) if issue.sheet else None
        if title is not None and issue.row is not None:
            # A click on the row number jumps to the row in its sheet.
            target = ws.cell(row=row, column=2)
            target.hyperlink = Hyperlink(ref=target.coordinate, location=f"{quote_sheetname(title)}!A{issue.row}")
            target.font = Font(color="0563C1", underline="single")
    for letter, width in zip("ABCDEF", (16, 8, 30, 24, 70, 34), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:F{max(len(issues) + 1, 1)}"
