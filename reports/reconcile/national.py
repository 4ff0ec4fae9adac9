"""The member list exported from the national party-member database, and reading it safely.

The national database's export is not ours to define: its header row may sit under a few title
rows, its columns may be in any order, carry slightly different wording ("Họ tên" for "Họ và tên")
or be followed by others we ignore. So the header row is searched for in the first rows of each
sheet and columns are recognised by header; only citizen ID, name and date of birth are required
(the three that match a person), the cell and the two dates are compared when present.

A file is refused as a whole (NationalFileRefused, a Vietnamese message) before its rows are read
when it is too large, not a real .xlsx, fails the import's guard (reports/imports/guard.py: a zip
bomb, too many rows counting the empty ones, an oversized shared-strings table, entity
expansion...), cannot be opened or has no header row; and while reading, as soon as it passes the
row limit. A row that cannot be read (no name, a date that is not a
date, a formula where a value belongs, a citizen ID repeated) is set aside as a RowProblem with
its row number and is not compared, so it cannot be mistaken for a member missing on one side.
Cells are parsed by the import's parsers (reports/imports/cells.py): the same dates, the same
citizen IDs, the same name folding as the Excel import.
"""

import datetime
import logging
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from openpyxl.utils import get_column_letter

from ..imports import cells, guard

logger = logging.getLogger(__name__)

# Data rows a national list may hold: a province is 50,000-400,000 members (docs/domain.md §2), and a
# reconciliation is done per commune or per grassroots committee, well under this.
DEFAULT_MAX_ROWS = 100_000
# Where the header row is looked for: the export may open with a few title rows.
HEADER_SEARCH_ROWS = 20
RULE_ROWS = "Số dòng tối đa của một lần đối chiếu"


def max_bytes() -> int:
    return getattr(settings, "PARTYHUB_IMPORT_MAX_BYTES", 10 * 1024 * 1024)


size_text = guard.size_text  # 10 MB, 1,5 MB, 200 KB: for messages


def max_rows() -> int:
    return getattr(settings, "PARTYHUB_RECONCILE_MAX_ROWS", DEFAULT_MAX_ROWS)


@dataclass(frozen=True)
class NationalColumn:
    key: str
    header: str  # the name in docs/import-format.md and in the upward export
    variants: tuple[str, ...] = ()  # other wordings accepted in an uploaded list
    required: bool = False
    help: str = ""  # shown on the upload page (a file format, so fixed Vietnamese like the headers)


CITIZEN_ID = NationalColumn(
    "citizen_id",
    "Số CCCD",
    (
        "CCCD",
        "Số CCCD/CMND",
        "Số CMND/CCCD",
        "Căn cước công dân",
        "Số căn cước",
        "Số căn cước công dân",
        "Số định danh",
        "Số định danh cá nhân",
    ),
    required=True,
    help="12 chữ số; ô kiểu số mất số 0 ở đầu vẫn được nhận. Để trống thì đối chiếu theo họ tên và ngày sinh.",
)
FULL_NAME = NationalColumn(
    "full_name",
    "Họ và tên",
    ("Họ tên", "Họ và tên đảng viên", "Họ tên đảng viên", "Họ và tên khai sinh"),
    required=True,
    help="So sánh không phân biệt chữ hoa, chữ thường và khoảng trắng thừa, nhưng giữ dấu: "
    "“Nguyen Van An” khác “Nguyễn Văn An”.",
)
DATE_OF_BIRTH = NationalColumn(
    "date_of_birth",
    "Ngày sinh",
    ("Ngày tháng năm sinh", "Sinh ngày"),
    required=True,
    help="Ô kiểu ngày hoặc chữ dạng dd/mm/yyyy.",
)
CELL = NationalColumn(
    "cell",
    "Chi bộ",
    ("Tên chi bộ", "Mã chi bộ", "Chi bộ sinh hoạt", "Chi bộ đang sinh hoạt", "Tổ chức đảng"),
    help="Tên hoặc mã chi bộ; khớp khi trùng tên hoặc mã chi bộ trên PartyHub.",
)
ADMISSION = NationalColumn(
    "admission_decision_date",
    "Ngày quyết định kết nạp",
    ("Ngày QĐ kết nạp", "Ngày kết nạp", "Ngày vào Đảng"),
    help="Ô kiểu ngày hoặc dd/mm/yyyy.",
)
RECOGNITION = NationalColumn(
    "recognition_date",
    "Ngày công nhận chính thức",
    ("Ngày QĐ công nhận chính thức", "Ngày công nhận đảng viên chính thức", "Ngày chính thức"),
    help="Để trống với đảng viên dự bị.",
)
COLUMNS: tuple[NationalColumn, ...] = (CITIZEN_ID, FULL_NAME, DATE_OF_BIRTH, CELL, ADMISSION, RECOGNITION)
BY_KEY = {c.key: c for c in COLUMNS}
HEADERS = [c.header for c in COLUMNS]
DATE_KEYS = frozenset({DATE_OF_BIRTH.key, ADMISSION.key, RECOGNITION.key})


def header_key(value) -> str:
    """A header cell as compared: folded, without "(...)" notes, punctuation or a trailing "*"."""
    text = cells.fold(value)
    text = re.sub(r"\(.*?\)", " ", text)
    text = re.sub(r"[,.:;*]", " ", text)
    return " ".join(text.split())


# header key -> (column, 0 for the documented header, 1 for a variant): the documented one wins.
_KNOWN = {header_key(c.header): (c, 0) for c in COLUMNS} | {
    header_key(v): (c, 1) for c in COLUMNS for v in c.variants if header_key(v) not in {header_key(h) for h in HEADERS}
}


@dataclass(frozen=True)
class NationalRow:
    """One person of the national list; `row` is the row number Excel shows."""

    row: int
    citizen_id: str  # "" when the list gives none
    full_name: str
    date_of_birth: datetime.date
    cell: str = ""
    admission_decision_date: datetime.date | None = None
    recognition_date: datetime.date | None = None


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str  # the header as written in the file
    value: str
    message: str


@dataclass
class NationalList:
    sheet: str
    header_row: int
    columns: tuple[str, ...]  # keys of the columns found, in COLUMNS order
    headers: dict[str, str]  # key -> header as written in the file
    rows: list[NationalRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def missing_columns(self) -> list[NationalColumn]:
        """Optional columns the file does not have: those fields are not compared."""
        return [c for c in COLUMNS if c.key not in self.columns]


class NationalFileRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _size(source) -> int:
    size = getattr(source, "size", None)
    if size is None:
        position = source.tell()
        source.seek(0, 2)
        size = source.tell()
        source.seek(position)
    return size


def _check_file(source) -> None:
    """Size, then "is it really an .xlsx": a zip holding the parts every workbook has."""
    limit, size = max_bytes(), _size(source)
    if size == 0:
        raise NationalFileRefused("Tệp trống; hãy chọn tệp danh sách đảng viên xuất từ CSDL đảng viên.")
    if size > limit:
        raise NationalFileRefused(
            f"Tệp nặng {size_text(size)}, vượt giới hạn {size_text(limit)}. "
            "Hãy xuất riêng danh sách của tổ chức cần đối chiếu."
        )
    not_xlsx = NationalFileRefused(
        "Tệp không phải bảng tính Excel .xlsx (có thể là tệp .csv hoặc .xls được đổi tên). "
        "Hãy mở bằng Excel và lưu lại dạng “Excel Workbook (*.xlsx)”."
    )
    source.seek(0)
    try:
        if not zipfile.is_zipfile(source):
            raise not_xlsx
        source.seek(0)
        with zipfile.ZipFile(source) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise not_xlsx from None
    names = {p.filename for p in parts}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise not_xlsx
    try:
        guard.check(source, max_rows=max_rows(), rows_rule=RULE_ROWS, action="đối chiếu")
    except guard.Refused as refused:
        raise NationalFileRefused(refused.message) from None


def read_national(source) -> NationalList:
    """The national list in an uploaded file (a Django UploadedFile or any seekable binary file)."""
    _check_file(source)
    import openpyxl  # noqa: PLC0415 - only once the cheap checks passed

    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=False)
    except Exception as error:  # noqa: BLE001 - whatever openpyxl trips on, the file is at fault, not the server
        # The exception's type only: its message may quote the file, which holds personal data.
        logger.info("national list: openpyxl could not open the upload (%s)", type(error).__name__)
        raise NationalFileRefused(
            "Không mở được tệp Excel: tệp bị hỏng, có mật khẩu hoặc không đúng định dạng .xlsx."
        ) from None
    try:
        return _read_book(book)
    except NationalFileRefused:
        raise
    except Exception as error:  # noqa: BLE001 - a broken sheet part surfaces only while streaming its rows
        logger.info("national list: openpyxl failed while reading rows (%s)", type(error).__name__)
        raise NationalFileRefused("Không đọc được nội dung tệp Excel: tệp bị hỏng hoặc không đúng định dạng.") from None
    finally:
        book.close()


def _header_mapping(values) -> dict[str, tuple[int, str]]:
    """key -> (column index, header as written) for the recognised headers of one row."""
    best: dict[str, tuple[int, int, str]] = {}
    for index, value in enumerate(values):
        if cells.is_blank(value) or not isinstance(value, str):
            continue
        known = _KNOWN.get(header_key(value))
        if known is None:
            continue
        column, priority = known
        if column.key not in best or (priority, index) < best[column.key][:2]:
            best[column.key] = (priority, index, cells.normal_text(value))
    return {key: (index, text) for key, (_p, index, text) in best.items()}


def _missing_required(mapping) -> list[str]:
    return [c.header for c in COLUMNS if c.required and c.key not in mapping]


def _read_book(book) -> NationalList:
    closest: tuple[str, int, list[str]] | None = None  # (sheet, row, missing headers) of a partial header
    for worksheet in book.worksheets:
        if hasattr(worksheet, "reset_dimensions"):
            # Some writers store a wrong sheet size; read what is really there.
            worksheet.reset_dimensions()
        rows = enumerate(worksheet.iter_rows(), start=1)
        for number, row in rows:
            if number > HEADER_SEARCH_ROWS:
                break
            values = [getattr(c, "value", None) for c in row]
            mapping = _header_mapping(values)
            if not mapping:
                continue
            missing = _missing_required(mapping)
            if not missing:
                return _read_rows(worksheet.title, number, mapping, rows)
            if closest is None or len(missing) < len(closest[2]):
                closest = (worksheet.title, number, missing)
    if closest is not None:
        sheet, number, missing = closest
        listed = ", ".join(f"“{h}”" for h in missing)
        raise NationalFileRefused(
            f"Trang tính “{sheet}”, dòng tiêu đề {number}: thiếu cột {listed}. "
            "Xem các tên cột được chấp nhận ở phần hướng dẫn."
        )
    required = ", ".join(f"“{c.header}”" for c in COLUMNS if c.required)
    raise NationalFileRefused(
        f"Không tìm thấy dòng tiêu đề trong {HEADER_SEARCH_ROWS} dòng đầu của tệp; "
        f"danh sách cần có ít nhất các cột {required}."
    )


_COLUMN_NUMBER = re.compile(r"\(?\d{1,2}\)?")


def _is_numbering_row(values: list) -> bool:
    """The "(1) (2) (3)" row official forms put under the header."""
    present = [v for v in values if not cells.is_blank(v)]
    return bool(present) and all(
        isinstance(v, (str, int)) and _COLUMN_NUMBER.fullmatch(str(v).strip()) for v in present
    )


def _read_rows(sheet: str, header_row: int, mapping: dict[str, tuple[int, str]], rows) -> NationalList:
    result = NationalList(
        sheet=sheet,
        header_row=header_row,
        columns=tuple(c.key for c in COLUMNS if c.key in mapping),
        headers={key: text for key, (_i, text) in mapping.items()},
    )
    limit = max_rows()
    last = limit + guard.ROWS_ALLOWANCE
    seen_ids: dict[str, int] = {}
    counted = 0
    for number, row in rows:
        if number > last:
            # Empty rows count too: a sheet of empty rows stops here (the guard refused it before).
            raise NationalFileRefused(guard.too_many_rows(sheet, limit, RULE_ROWS, "đối chiếu").message)
        raw, formulas = {}, []
        for key, (index, _text) in mapping.items():
            cell = row[index] if index < len(row) else None
            raw[key] = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f":
                formulas.append((key, f"{get_column_letter(index + 1)}{number}"))
        if all(cells.is_blank(v) for v in raw.values()):
            continue
        if number == header_row + 1 and _is_numbering_row(list(raw.values())):
            continue
        if isinstance(raw[FULL_NAME.key], str) and header_key(raw[FULL_NAME.key]) in _KNOWN:
            continue  # the header repeated (a list pasted from several printed pages)
        counted += 1
        if counted > limit:
            shown = f"{limit:,}".replace(",", ".")
            raise NationalFileRefused(
                f"Tệp có hơn {shown} dòng dữ liệu; mỗi lần đối chiếu tối đa {shown} dòng. "
                "Hãy xuất riêng danh sách của từng tổ chức."
            )
        parsed, problems = _parse_row(number, raw, formulas, result.headers)
        if parsed is not None and parsed.citizen_id:
            first = seen_ids.setdefault(parsed.citizen_id, number)
            if first != number:
                problems.append(
                    RowProblem(
                        number,
                        result.headers[CITIZEN_ID.key],
                        parsed.citizen_id,
                        f"Số CCCD trùng với dòng {first}; dòng này không được đối chiếu.",
                    )
                )
        if problems:
            result.problems += problems
        else:
            result.rows.append(parsed)
    return result


def _parse_row(number: int, raw: dict, formulas: list[tuple[str, str]], headers: dict[str, str]):
    problems: list[RowProblem] = []

    def problem(key: str, message: str) -> None:
        problems.append(RowProblem(number, headers[key], cells.shown(raw.get(key)), message))

    for key, coordinate in formulas:
        problem(
            key,
            f"Ô {coordinate} chứa công thức “{cells.shown(raw[key])}”, không phải giá trị; hãy sao chép rồi "
            "“Dán đặc biệt → Giá trị” (Paste Special → Values) và tải lên lại.",
        )
    if problems:
        return None, problems
    values: dict = {}
    try:
        values[CITIZEN_ID.key] = (
            "" if cells.is_blank(raw[CITIZEN_ID.key]) else cells.parse_citizen_id(raw[CITIZEN_ID.key])
        )
    except cells.CellError as error:
        problem(CITIZEN_ID.key, error.message)
    name = cells.normal_text(raw[FULL_NAME.key]) if isinstance(raw[FULL_NAME.key], str) else ""
    if not name:
        problem(FULL_NAME.key, "Thiếu họ và tên." if cells.is_blank(raw[FULL_NAME.key]) else "Họ và tên phải là chữ.")
    values[FULL_NAME.key] = name
    if CELL.key in raw:
        values[CELL.key] = cells.normal_text(raw[CELL.key])
    for key in sorted(DATE_KEYS & raw.keys()):
        if cells.is_blank(raw[key]):
            if BY_KEY[key].required:
                problem(key, "Thiếu ngày sinh.")
            values[key] = None
            continue
        try:
            values[key] = cells.parse_date(raw[key])
        except cells.CellError as error:
            problem(key, error.message)
    if problems:
        return None, problems
    return NationalRow(row=number, **values), []
