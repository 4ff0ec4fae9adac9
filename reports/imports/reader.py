"""Reading an uploaded workbook safely: the file checks, then its rows as raw cells.

A workbook is refused as a whole, before any row is read, when it is too large, is not a real
.xlsx (a .csv or .xls renamed), fails the guard (guard.py: a zip bomb, too many rows counting the
empty ones, an oversized shared-strings table, entity expansion...), cannot be opened, has none of
the known sheets, lacks a required column, or holds more rows than an import may. openpyxl reads
in read-only mode, so a large file is streamed rather than loaded into memory at once.
"""

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings

from . import cells, guard
from .columns import SHEETS, SheetSpec
from .report import Issue

RULE_FILE = "Tệp .xlsx hợp lệ"
RULE_SIZE = "Dung lượng tệp tối đa"
RULE_ROWS = "Số dòng tối đa của một lần nhập"
RULE_SHEET = "Tên trang tính theo mẫu"
RULE_HEADER = "Tiêu đề cột theo mẫu"

# Rows an import may hold; a workbook past it is refused (the issue names 100,000 as the example).
MAX_ROWS = 50_000


def max_bytes() -> int:
    return getattr(settings, "PARTYHUB_IMPORT_MAX_BYTES", 10 * 1024 * 1024)


@dataclass
class RawRow:
    spec: SheetSpec
    number: int  # the row number Excel shows
    raw: dict  # column key -> raw cell value
    formulas: frozenset[str] = field(default_factory=frozenset)


@dataclass
class Workbook:
    """The known sheets of an opened workbook, each with its header mapping."""

    sheets: list[tuple[SheetSpec, object, dict[int, str]]]  # (spec, worksheet, column index -> key)
    book: object

    def close(self) -> None:
        self.book.close()


def _file_issue(message: str, rule: str) -> Issue:
    return Issue(sheet="", row=None, column="", value="", message=message, rule=rule)


def open_workbook(data: bytes) -> tuple[Workbook | None, list[Issue]]:
    limit = max_bytes()
    if len(data) > limit:
        return None, [
            _file_issue(
                f"Tệp nặng {len(data) / 1024 / 1024:.1f} MB, vượt giới hạn {limit / 1024 / 1024:.0f} MB; "
                "hãy chia thành nhiều tệp.",
                RULE_SIZE,
            )
        ]
    stream = io.BytesIO(data)
    names = set()
    if zipfile.is_zipfile(stream):
        try:
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            names = set()
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        return None, [
            _file_issue(
                "Tệp không phải bảng tính Excel .xlsx (có thể là tệp .csv hoặc .xls được đổi tên). "
                "Hãy mở bằng Excel và lưu lại dạng “Excel Workbook (*.xlsx)”.",
                RULE_FILE,
            )
        ]
    try:
        guard.check(stream, max_rows=MAX_ROWS, rows_rule=RULE_ROWS)
    except guard.Refused as refused:
        return None, [refusal(refused)]
    import openpyxl  # noqa: PLC0415 - only needed once the file passed the cheap checks

    _read_dimensions_quickly()
    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any failure to parse is the file's fault, reported as such
        return None, [_file_issue("Không mở được tệp Excel: tệp bị hỏng hoặc không đúng định dạng .xlsx.", RULE_FILE)]
    by_title = {cells.fold(spec.title): spec for spec in SHEETS}
    sheets, issues = [], []
    for worksheet in book.worksheets:
        spec = by_title.get(cells.fold(worksheet.title))
        if spec is None:
            continue  # instructions, lists and the user's own working sheets are not data
        mapping, header_issues = _headers(spec, worksheet)
        issues += header_issues
        sheets.append((spec, worksheet, mapping))
    if not sheets:
        titles = ", ".join(f"“{s.title}”" for s in SHEETS)
        issues.append(
            _file_issue(f"Không có trang tính nào theo mẫu; tên trang tính phải là một trong {titles}.", RULE_SHEET)
        )
    if issues:
        book.close()
        return None, issues
    return Workbook(sheets=sheets, book=book), []


def _sheet_dimensions(source):
    """A sheet's `<dimension>` (openpyxl's `WorkSheetParser.parse_dimensions`), read up to `<sheetData>`.

    openpyxl looks for it until the end of `<sheetData>`, that is through the whole sheet when there is
    none (a workbook written by openpyxl's write-only mode, or by many tools other than Excel): every
    such sheet was parsed twice, once for nothing. The schema puts `<dimension>` before `<sheetData>`,
    so stopping at the start of `<sheetData>` finds the same one."""
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG  # noqa: PLC0415
    from openpyxl.worksheet.dimensions import SheetDimension  # noqa: PLC0415
    from openpyxl.xml.functions import iterparse  # noqa: PLC0415

    for event, element in iterparse(source, events=("start", "end")):
        if event == "start":
            if element.tag == DATA_TAG:
                return None
            continue
        if element.tag == DIMENSION_TAG:
            return SheetDimension.from_tree(element).boundaries
        element.clear()
    return None


def _read_dimensions_quickly() -> None:
    """Make openpyxl's read-only sheets size themselves with `_sheet_dimensions` (the same answer)."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet  # noqa: PLC0415

    if getattr(ReadOnlyWorksheet._get_size, "partyhub", False):
        return

    def _get_size(self):
        source = self._get_source()
        try:
            dimensions = _sheet_dimensions(source)
        finally:
            source.close()
        if dimensions is not None:
            self._min_column, self._min_row, self._max_column, self._max_row = dimensions

    _get_size.partyhub = True
    ReadOnlyWorksheet._get_size = _get_size


def _headers(spec: SheetSpec, worksheet) -> tuple[dict[int, str], list[Issue]]:
    by_header = {cells.fold(c.header): c for c in spec.columns}
    first = next(worksheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    mapping: dict[int, str] = {}
    for index, value in enumerate(first):
        column = by_header.get(cells.fold(value)) if not cells.is_blank(value) else None
        if column is not None and column.key not in mapping.values():
            mapping[index] = column.key
    missing = [c.header for c in spec.columns if c.required and c.key not in mapping.values()]
    issues = [
        Issue(
            sheet=spec.title,
            row=1,
            column=header,
            value="",
            message=f"Thiếu cột bắt buộc “{header}” ở dòng tiêu đề (dòng 1).",
            rule=RULE_HEADER,
        )
        for header in missing
    ]
    return mapping, issues


def _is_example(spec: SheetSpec, values: list) -> bool:
    try:
        from .template import is_example_row  # noqa: PLC0415 - the template module is optional here
    except ImportError:
        return False
    try:
        return bool(is_example_row(spec, values))
    except Exception:  # noqa: BLE001 - a row that cannot be compared is simply not the example
        return False


def rows(workbook: Workbook) -> Iterator[RawRow]:
    """Every non-empty data row of every known sheet, in sheet order (the template's example skipped).

    Raises guard.Refused at the first row past MAX_ROWS + guard.ROWS_ALLOWANCE, empty rows counted: a
    sheet of empty rows stops there (the guard refuses such a file before; this holds without it)."""
    for spec, worksheet, mapping in workbook.sheets:
        last = MAX_ROWS + guard.ROWS_ALLOWANCE
        for number, row in enumerate(_sheet_rows(worksheet, min_row=2), start=2):
            if number > last:
                raise guard.too_many_rows(worksheet.title, MAX_ROWS, RULE_ROWS)
            raw, formulas = {}, set()
            for index, key in mapping.items():
                if index >= len(row):
                    continue
                cell = row[index]
                if cell is None:
                    raw[key] = None
                    continue
                if cell["data_type"] == "f":
                    formulas.add(key)
                raw[key] = cell["value"]
            if all(v is None or cells.is_blank(v) for v in raw.values()):
                continue
            if number == 2 and _is_example(spec, [raw.get(c.key) for c in spec.columns]):
                continue
            yield RawRow(spec=spec, number=number, raw=raw, formulas=frozenset(formulas))


def _parser_class():
    """openpyxl's sheet parser, quicker for the cells a data sheet holds, with the same rows and values.

    - The sheet's XML goes through the standard library's C parser (`xml.etree.ElementTree.iterparse`)
      instead of openpyxl's, which (with defusedxml installed) is the pure-Python one, an event handler
      in Python for every element. defusedxml is there to refuse DTDs and entity declarations: the guard
      (guard.py) has already refused any part with a DOCTYPE before the workbook is opened, so the sheet
      has neither; and only the rows are read (openpyxl's parse also reads the sheet's properties, which
      the import does not use).
    - A cell without a formula holding one `<v>` (a number, a shared string, a boolean, a formula's
      cached string) or one plain inline string (`<is><t>…</t></is>`, as openpyxl's write-only mode and
      many tools write text) is read here, as `WorkSheetParser.parse_cell` reads it, without openpyxl's
      `Text` descriptors and with the column letters' index kept once read. Any other cell (a formula,
      rich text or phonetic runs, an error, an ISO date, a date serial out of range...) goes through
      openpyxl's own `parse_cell`.
    """
    from xml.etree.ElementTree import iterparse  # noqa: PLC0415

    from openpyxl.utils import coordinate_to_tuple  # noqa: PLC0415
    from openpyxl.utils.datetime import from_excel  # noqa: PLC0415
    from openpyxl.worksheet._reader import INLINE_STRING, ROW_TAG, VALUE_TAG, WorkSheetParser  # noqa: PLC0415
    from openpyxl.xml.constants import SHEET_MAIN_NS  # noqa: PLC0415

    text_tag = f"{{{SHEET_MAIN_NS}}}t"
    digits = "0123456789"

    class Parser(WorkSheetParser):
        columns: dict[str, int]
        dates: dict[tuple, object]
        row_digits: str | None
        row_read: int | None

        def parse(self):
            """The rows as openpyxl's `parse` yields them (its other elements are not read)."""
            self.columns = {}
            self.dates = {}
            self.row_digits, self.row_read = None, None  # the last row number read from a cell's coordinate
            for _event, element in iterparse(self.source):
                if element.tag == ROW_TAG:
                    row = self.parse_row(element)
                    element.clear()
                    yield row

        def position(self, coordinate: str) -> tuple[int, int]:
            """`coordinate_to_tuple(coordinate)`, the column letters' index read once."""
            letters = coordinate.rstrip(digits)
            column = self.columns.get(letters)
            if column is None or len(letters) == len(coordinate):
                row, column = coordinate_to_tuple(coordinate)
                if letters.isascii() and letters.isalpha() and len(letters) < len(coordinate):
                    self.columns[letters] = column
                return row, column
            return int(coordinate[len(letters) :]), column

        def parse_cell(self, element):
            if self.rich_text or len(element) != 1:
                return super().parse_cell(element)
            child = element[0]
            data_type = element.get("t", "n")
            style_id = element.get("s", 0)
            if style_id:
                style_id = int(style_id)
            if data_type == "inlineStr":
                if child.tag != INLINE_STRING:
                    return super().parse_cell(element)
                if len(child) == 1 and child[0].tag == text_tag:  # one <t> (the common case): its text
                    value = child[0].text or ""
                else:
                    texts = []
                    for part in child:
                        if part.tag != text_tag:
                            return super().parse_cell(element)
                        texts.append(part.text)
                    # As `Text.from_tree(child).content`: the last <t> (a nested text), "" when it has none.
                    value = (texts[-1] or "") if texts else ""
                data_type = "s"
            elif child.tag != VALUE_TAG or data_type not in ("n", "s", "b", "str"):
                return super().parse_cell(element)  # a formula, an error, an ISO date...
            else:
                value = child.text or None
                if value is not None:
                    if data_type == "n":
                        value = float(value) if ("." in value or "E" in value or "e" in value) else int(value)
                        if style_id in self.date_formats:
                            # A sheet's dates repeat: each serial converted once (datetimes are immutable).
                            key = (type(value), value, style_id in self.timedelta_formats)
                            converted = self.dates.get(key)
                            if converted is None:
                                try:
                                    converted = from_excel(value, self.epoch, timedelta=key[2])
                                except (OverflowError, ValueError):
                                    return super().parse_cell(element)  # openpyxl's warning and error value
                                self.dates[key] = converted
                            value, data_type = converted, "d"
                    elif data_type == "s":
                        value = self.shared_strings[int(value)]
                    elif data_type == "b":
                        value = bool(int(value))
                    else:
                        data_type = "s"
            coordinate = element.get("r")
            if coordinate:
                # `position(coordinate)`, inline for the common case: the column letters' index known.
                letters = coordinate.rstrip(digits)
                column = self.columns.get(letters)
                if column is None or len(letters) == len(coordinate):
                    row, column = self.position(coordinate)
                else:
                    # The row's digits repeat along the row: read once (`int` is the costly part).
                    number = coordinate[len(letters) :]
                    if number == self.row_digits:
                        row = self.row_read
                    else:
                        row = self.row_read = int(number)
                        self.row_digits = number
                self.col_counter = column
            else:
                self.col_counter += 1
                row, column = self.row_counter, self.col_counter
            return {"row": row, "column": column, "value": value, "data_type": data_type, "style_id": style_id}

    return Parser


def _sheet_rows(worksheet, min_row: int):
    """`worksheet.iter_rows(min_row=min_row)` of a read-only sheet (openpyxl's `_cells_by_row`, the same
    rows, numbering and widths), each cell as the parser's dict (None for an empty one) instead of a
    `ReadOnlyCell`, and with `_parser_class`'s quicker inline strings."""
    book = worksheet.parent
    max_col, max_row = worksheet.max_column, worksheet.max_row
    empty_row = (None,) * max_col if max_col is not None else []
    counter, idx = min_row, 1
    with worksheet._get_source() as source:
        parser = _parser_class()(
            source,
            worksheet._shared_strings,
            data_only=book.data_only,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for idx, cells_of_row in parser.parse():
            if max_row is not None and idx > max_row:
                break
            for _missing in range(counter, idx):
                counter += 1
                yield empty_row
            if counter <= idx:
                counter += 1
                if not cells_of_row and not max_col:
                    yield ()
                    continue
                width = max_col or cells_of_row[-1]["column"]
                row = [None] * width
                for cell in cells_of_row:
                    if 1 <= cell["column"] <= width:
                        row[cell["column"] - 1] = cell
                yield tuple(row)
    if max_row is not None and max_row < idx:
        for _missing in range(counter, max_row + 1):
            yield empty_row


def estimated_rows(workbook: Workbook) -> int | None:
    """Data rows as the sheets' own dimension records say (read from each sheet's first bytes), or
    None when a sheet has none. Rows that are only formatted count too, so it is an upper bound."""
    total = 0
    for _spec, worksheet, _mapping in workbook.sheets:
        last = getattr(worksheet, "max_row", None)
        if last is None:
            return None
        total += max(last - 1, 0)
    return total


def count_rows(workbook: Workbook, stop_after: int | None = None) -> int:
    """Data rows, counted up to one past `stop_after` (no need to read a huge file to the end).
    Raises guard.Refused as `rows` does."""
    stop_after = MAX_ROWS if stop_after is None else stop_after
    total = 0
    for _row in rows(workbook):
        total += 1
        if total > stop_after:
            break
    return total


def too_many_rows(total: int) -> Issue:
    limit = f"{MAX_ROWS:,}".replace(",", ".")
    return _file_issue(
        f"Tệp có hơn {limit} dòng dữ liệu; mỗi lần nhập tối đa {limit} dòng. Hãy chia thành nhiều tệp.", RULE_ROWS
    )


def refusal(refused: guard.Refused) -> Issue:
    """The guard's refusal as the file's issue."""
    return _file_issue(refused.message, refused.rule)
