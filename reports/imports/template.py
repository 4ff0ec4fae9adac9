"""The import template: a workbook with the instructions, one sheet per SheetSpec and drop-down lists.

Each data sheet has the header row and, in row 2, an example row in grey italics. The reader skips
row 2 when it is still exactly the example (`is_example_row`), so a committee that forgets to
delete it does not import a fictitious organisation. Validations guide typing in Excel but are not
trusted: pasted values bypass them, and the import checks every cell again. Text goes into string
cells (reports/exports/cells.py), never taken for a formula; the validations' formulas are our own.
"""

import io
from itertools import zip_longest

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ..exports.cells import put
from . import cells, reader
from .columns import BOOL, CHOICE, CITIZEN_ID, CODE, DATE, DECIMAL, INT, PERIOD, SHEETS, TEXT, Column, SheetSpec

GUIDE_TITLE = "Hướng dẫn"
LISTS_TITLE = "Danh mục"
DATE_FORMAT = "DD/MM/YYYY"
TEXT_FORMAT = "@"
YES, NO = "Có", "Không"
# Rows the validations and column formats are meant for; beyond them Excel simply does not help.
LAST_ROW = 5000
# Excel refuses an inline list longer than 255 characters; stay well below it, since older
# versions count differently with non-ASCII text. Longer lists, and any list with a label that
# holds a comma (the inline separator), are read from the hidden lists sheet.
INLINE_LIST_LIMIT = 200

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
REQUIRED_FILL = PatternFill("solid", fgColor="E6B8B7")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
EXAMPLE_FONT = Font(italic=True, color="808080")
WRAP = Alignment(vertical="top", wrap_text=True)

# How each kind of cell is written, for the instructions sheet.
FORMATS = {
    TEXT: "Chữ",
    CODE: "Mã (chữ, số, dấu gạch; không có khoảng trắng)",
    DATE: "Ngày: ô kiểu ngày hoặc chữ dd/mm/yyyy (ví dụ 05/03/2026)",
    INT: "Số nguyên không âm",
    DECIMAL: "Số (dấu phẩy hoặc dấu chấm thập phân), ví dụ 3 hoặc 2,5",
    BOOL: "Có / Không",
    CHOICE: "Chọn trong danh sách",
    CITIZEN_ID: "Số CCCD: đúng 12 chữ số (ô định dạng chữ để giữ số 0 đầu)",
    PERIOD: "Nhiệm kỳ 2025-2030, năm 2026 hoặc khoảng ngày 01/01/2026..30/06/2026",
}

# Text-formatted columns keep what is typed: a citizen ID or card number typed as a number would
# lose its leading zeros, and a code like 01-02 would turn into a date.
_TEXT_KINDS = {TEXT, CODE, CITIZEN_ID, PERIOD}


def example_value(column: Column):
    """The example as the template writes it: real dates and numbers, nothing for a blank."""
    value = column.example
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if column.kind == DATE and isinstance(value, str):
        return cells.parse_date(value)
    if column.kind == INT and isinstance(value, str):
        return cells.parse_int(value)
    return value


def _canonical(column: Column, raw):
    """A comparison key tolerant of how Excel hands a value back (a date as a datetime, 12 as 12.0)."""
    if cells.is_blank(raw):
        return None
    parse = {
        DATE: cells.parse_date,
        INT: cells.parse_int,
        DECIMAL: cells.parse_decimal,
        CITIZEN_ID: cells.parse_citizen_id,
        BOOL: cells.parse_bool,
    }.get(column.kind)
    if parse is None and column.kind == CHOICE and column.choices is not None:
        choices = column.choices

        def parse(value):
            return cells.parse_choice(value, choices)

    if parse is not None:
        try:
            return parse(raw)
        except cells.CellError:
            pass
    return cells.fold(raw)


def is_example_row(spec: SheetSpec, values: list) -> bool:
    """Whether row 2 is still the template's example: every cell, blank ones included, unchanged.

    `values` are the raw cells in the order of `spec.columns` (None for a column the sheet lacks).
    """
    for column, raw in zip_longest(spec.columns, values):
        if column is None:
            if not cells.is_blank(raw):
                return False
            continue
        if _canonical(column, raw) != _canonical(column, example_value(column)):
            return False
    return True


def template_workbook() -> bytes:
    book = Workbook()
    guide = book.active
    guide.title = GUIDE_TITLE
    lists = _Lists(book)
    for spec in SHEETS:
        _data_sheet(book.create_sheet(spec.title), spec, lists)
    _guide(guide)
    lists.finish()
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class _Lists:
    """The hidden sheet holding the drop-down lists too long (or too comma-laden) to write inline."""

    def __init__(self, book: Workbook):
        self.book = book
        self.sheet = None
        self.ranges: dict[str, str] = {}

    def formula(self, name: str, labels: list[str]) -> str:
        joined = ",".join(labels)
        if len(joined) <= INLINE_LIST_LIMIT and not any("," in label or '"' in label for label in labels):
            return f'"{joined}"'
        if name not in self.ranges:
            if self.sheet is None:
                self.sheet = self.book.create_sheet(LISTS_TITLE)
            column = len(self.ranges) + 1
            put(self.sheet, 1, column, name).font = HEADER_FONT
            for row, label in enumerate(labels, start=2):
                put(self.sheet, row, column, label)
            letter = get_column_letter(column)
            width = max(len(label) for label in [name, *labels]) + 2
            self.sheet.column_dimensions[letter].width = min(width, 60)
            self.ranges[name] = f"{quote_sheetname(LISTS_TITLE)}!${letter}$2:${letter}${len(labels) + 1}"
        return self.ranges[name]

    def finish(self) -> None:
        if self.sheet is not None:
            self.sheet.sheet_state = "hidden"
            # Created when the first long list was met; it belongs after the data sheets.
            self.book.move_sheet(self.sheet, offset=len(self.book.worksheets) - 1 - self.book.index(self.sheet))


def _labels(column: Column) -> list[str]:
    if column.kind == BOOL:
        return [YES, NO]
    if column.kind == CHOICE and column.choices is not None:
        return cells.choice_labels(column.choices)
    return []


def _validation(column: Column, lists: _Lists) -> DataValidation | None:
    if column.kind == CHOICE and column.choices is not None:
        validation = DataValidation(
            type="list", formula1=lists.formula(column.choices.__name__, _labels(column)), allow_blank=True
        )
        validation.error = "Hãy chọn một giá trị trong danh sách."
    elif column.kind == BOOL:
        validation = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
        validation.error = "Ghi Có hoặc Không."
    elif column.kind == DATE:
        # A warning, not a stop: the import also takes dates typed as dd/mm/yyyy text, which
        # Excel in an English locale keeps as text and would otherwise refuse.
        validation = DataValidation(
            type="date",
            operator="between",
            formula1="DATE(1900,1,1)",
            formula2="DATE(2100,12,31)",
            allow_blank=True,
            errorStyle="warning",
        )
        validation.error = "Ngày dạng dd/mm/yyyy, từ năm 1900 đến 2100."
    elif column.kind == INT:
        validation = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        validation.error = "Số nguyên không âm."
    elif column.kind == CITIZEN_ID:
        validation = DataValidation(type="textLength", operator="equal", formula1="12", allow_blank=True)
        validation.error = "Số CCCD gồm đúng 12 chữ số."
    else:
        return None
    # Excel refuses to open a sheet whose validation titles pass 32 characters.
    validation.errorTitle = column.header[:32]
    validation.showErrorMessage = True
    if column.help:
        validation.prompt = column.help[:255]
        validation.promptTitle = column.header[:32]
        validation.showInputMessage = True
    return validation


def _width(column: Column) -> float:
    texts = [column.header, str(example_value(column) or ""), *_labels(column)]
    if column.kind == DATE:
        texts.append("00/00/0000")
    # Long headers wrap over a few lines rather than widening the column past a screen.
    longest = max(min(len(column.header), 28), *(len(t) for t in texts[1:]))
    return min(max(longest + 2, 10), 45)


def _data_sheet(ws, spec: SheetSpec, lists: _Lists) -> None:
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        header = put(ws, 1, index, column.header)
        header.font = HEADER_FONT
        header.fill = REQUIRED_FILL if column.required else HEADER_FILL
        header.alignment = HEADER_ALIGNMENT
        note = [("Bắt buộc. " if column.required else "") + FORMATS[column.kind] + "."]
        if column.help:
            note.append(column.help)
        header.comment = Comment("\n".join(note), "PartyHub", width=300, height=110)

        dimension = ws.column_dimensions[letter]
        dimension.width = _width(column)
        number_format = DATE_FORMAT if column.kind == DATE else TEXT_FORMAT if column.kind in _TEXT_KINDS else None
        if number_format:
            dimension.number_format = number_format

        value = example_value(column)
        if value is not None:
            cell = put(ws, 2, index, value)
            cell.font = EXAMPLE_FONT
            if number_format:
                cell.number_format = number_format

        validation = _validation(column, lists)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            ws.add_data_validation(validation)
    ws.row_dimensions[1].height = 45
    ws.freeze_panes = "A2"


def _guide(ws) -> None:
    order = ", ".join(f"“{spec.title}”" for spec in SHEETS)
    max_mb = reader.max_bytes() / 1024 / 1024
    max_rows = f"{reader.MAX_ROWS:,}".replace(",", ".")  # Vietnamese groups thousands with dots
    lines = [
        "Mẫu nhập dữ liệu PartyHub",
        "",
        f"Mỗi trang tính là một loại dữ liệu, được nhập theo thứ tự: {order}. "
        "Trang không dùng có thể để trống hoặc xóa; trang có tên khác (như trang này) không được đọc.",
        "Không đổi tên trang tính và tiêu đề cột ở dòng 1. Cột không bắt buộc có thể bỏ; "
        "cột có tiêu đề tô đậm màu hơn là cột bắt buộc. Di chuột vào tiêu đề để xem ghi chú của cột.",
        "Dòng 2 của mỗi trang là dòng ví dụ (chữ nghiêng màu xám): hãy xóa hoặc ghi đè lên. "
        "Nếu giữ nguyên không sửa, dòng ví dụ được bỏ qua khi nhập.",
        "Ngày: ô kiểu ngày hoặc chữ dạng dd/mm/yyyy (ví dụ 05/03/2026). "
        "Ngày không có trong lịch (như 31/02/2024) bị từ chối.",
        "Có / Không: ghi “Có” hoặc “Không”. Cột danh mục: chọn trong danh sách thả xuống.",
        "Số CCCD: đúng 12 chữ số; các cột mã, số thẻ, CCCD đã định dạng chữ để giữ số 0 ở đầu.",
        "Ô phải chứa giá trị, không chứa công thức. Họ tên viết có dấu đầy đủ.",
        "Nhập lại không tạo bản trùng: tổ chức nhận ra theo mã; người theo số CCCD, "
        "nếu không có thì theo số thẻ đảng, nếu không có nữa thì theo họ tên và ngày sinh; "
        "chỉ tiêu theo tổ chức, kỳ, nguồn, nội dung và đặc điểm.",
        "Quần chúng được ghi qua đúng các bước của quy trình kết nạp; bước nào trái quy định thì dòng bị từ chối "
        "với lý do của quy định đó.",
        "Nhập tất cả hoặc không: chỉ cần một dòng lỗi là không dòng nào được ghi. "
        "Báo cáo lỗi liệt kê từng dòng, kèm tệp Excel có đánh dấu các ô lỗi.",
        f"Giới hạn: tệp .xlsx tối đa {max_mb:.0f} MB, tối đa {max_rows} dòng dữ liệu mỗi lần nhập.",
    ]
    for row, text in enumerate(lines, start=1):
        cell = put(ws, row, 1, text or None)
        cell.alignment = WRAP
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=6)
        if row > 2:
            ws.row_dimensions[row].height = 32
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)

    start = len(lines) + 2
    headers = ["Trang tính", "Cột", "Bắt buộc", "Định dạng", "Giá trị cho phép", "Ghi chú"]
    for index, text in enumerate(headers, start=1):
        cell = put(ws, start, index, text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGNMENT
    row = start + 1
    for spec in SHEETS:
        title = put(ws, row, 1, spec.title)
        title.font = HEADER_FONT
        put(ws, row, 6, spec.help).alignment = WRAP
        row += 1
        for column in spec.columns:
            values = [
                spec.title,
                column.header,
                "Có" if column.required else "",
                FORMATS[column.kind],
                "; ".join(_labels(column)) if column.kind == CHOICE else "",
                column.help,
            ]
            for index, value in enumerate(values, start=1):
                put(ws, row, index, value or None).alignment = WRAP
            row += 1
    for letter, width in zip("ABCDEF", (14, 34, 10, 34, 50, 50), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(row=start + 1, column=1)
