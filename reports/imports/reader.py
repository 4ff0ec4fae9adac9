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
        for number, row in enumerate(worksheet.iter_rows(min_row=2), start=2):
            if number > last:
                raise guard.too_many_rows(worksheet.title, MAX_ROWS, RULE_ROWS)
            raw, formulas = {}, set()
            for index, key in mapping.items():
                if index >= len(row):
                    continue
                cell = row[index]
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "f":
                    formulas.add(key)
                raw[key] = value
            if all(cells.is_blank(v) for v in raw.values()):
                continue
            if number == 2 and _is_example(spec, [raw.get(c.key) for c in spec.columns]):
                continue
            yield RawRow(spec=spec, number=number, raw=raw, formulas=frozenset(formulas))


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
