"""The guard every uploaded workbook passes before openpyxl opens it: a tiny file cannot take a worker down.

An .xlsx is a zip of XML parts, and openpyxl, even in read-only mode, holds in memory more than the
file's size suggests: the whole shared-strings table, every part other than the sheets (read whole),
every merged range, validation or hyperlink of a sheet, and one (cleared) element per row it has
parsed, while it looks for a sheet's size when the sheet states none. A 177 KB file of 20 million
empty rows grew a worker past 2 GB. So, before openpyxl sees the file, `check`:

1. reads the zip's central directory and refuses a file whose parts, as declared, unpack to more
   than `PARTYHUB_IMPORT_MAX_UNPACKED_BYTES` together, a part packed more than
   `PARTYHUB_IMPORT_MAX_UNPACKED_RATIO` times (a zip bomb; parts under 1 MiB are not held to it), a
   shared-strings table over `PARTYHUB_IMPORT_MAX_SHARED_STRINGS_BYTES`, any other part (read whole
   by openpyxl) over PART_BYTES, more than MAX_MEMBERS parts, or a part that is encrypted or packed
   with anything but deflate;
2. then streams every part through expat, counting what it really unpacks (a zip header may lie
   about sizes) against the same limits, and refuses: any DOCTYPE (Excel never writes one; entity
   expansion, "billion laughs", starts there); a sheet with more than `max_rows` + ROWS_ALLOWANCE
   rows, empty rows and row-number jumps included, which stops at the first row past the limit; more
   than SHARED_STRINGS strings; more than PART_ELEMENTS elements in a part outside its rows (or
   strings), RECORD_ELEMENTS in one row or string (what follows the last one counts with it),
   BASE_ELEMENTS + ROW_ELEMENTS per allowed row in the file, or QUIET_BYTES of XML without a
   single tag (one text, tag or comment that long); more than MAX_SHEETS sheets, or two sheets on
   one part.

Expat is driven directly and keeps nothing, so the guard's own memory is a chunk and a few counters.
The parts are told apart as openpyxl tells them (the content types, the workbook's relationships):
only the parts openpyxl streams as sheets may hold many rows, only the shared-strings part many
strings; every other part has the tight limits of a part read whole.
"""

import posixpath
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from xml.parsers import expat

from django.conf import settings
from openpyxl.xml.constants import (
    ARC_APP,
    ARC_CONTENT_TYPES,
    ARC_CORE,
    ARC_CUSTOM,
    ARC_ROOT_RELS,
    ARC_STYLE,
    ARC_THEME,
    XLSM,
    XLSX,
    XLTM,
    XLTX,
)
from openpyxl.xml.constants import SHARED_STRINGS as SHARED_STRINGS_TYPE

MIB = 1024 * 1024

RULE_FILE = "Tệp .xlsx hợp lệ"
RULE_UNPACKED = "Dung lượng giải nén tối đa"
RULE_RATIO = "Tỉ lệ nén tối đa"
RULE_STRINGS = "Bảng chuỗi dùng chung tối đa"
RULE_XML = "Cấu trúc XML an toàn"

# Settings (PARTYHUB_IMPORT_...) and their defaults.
DEFAULT_MAX_UNPACKED_BYTES = 200 * MIB
DEFAULT_MAX_UNPACKED_RATIO = 100
DEFAULT_MAX_SHARED_STRINGS_BYTES = 50 * MIB

# Fixed bounds, each far above what a real workbook of the allowed size holds.
RATIO_FLOOR = MIB  # a part smaller than this unpacked is not held to the ratio (tiny parts pack well)
PART_BYTES = 20 * MIB  # a part openpyxl reads whole: styles, workbook, relationships, theme...
PART_ELEMENTS = 100_000  # elements of a part outside its rows or strings (openpyxl: up to 1 KB each)
RECORD_ELEMENTS = 50_000  # elements in one row (Excel: 16,384 columns) or one string
# Elements in the whole file: BASE_ELEMENTS, and ROW_ELEMENTS for each row the caller allows (50
# cells with a value a row on average; a 50,000-row sheet of the template's 25 columns has under
# 3 million): 6 million for an import, 11 million for a reconciliation. Bounds openpyxl's time.
BASE_ELEMENTS = 1_000_000
ROW_ELEMENTS = 100
# Strings in the shared-strings table: openpyxl holds each one (about 250 bytes of memory apiece).
SHARED_STRINGS = 500_000
QUIET_BYTES = MIB  # XML without a start tag in it (a cell holds at most 32,767 characters)
MAX_MEMBERS = 10_000
MAX_SHEETS = 255
# Rows a sheet may have beyond the data-row limit: the header, title rows, a few empty rows.
ROWS_ALLOWANCE = 1_000

CHUNK = 64 * 1024
WORKBOOK_TYPES = (XLTM, XLTX, XLSM, XLSX)  # in the order openpyxl looks for them
CONTENT_TYPES = ARC_CONTENT_TYPES
# Parts openpyxl reads whole from fixed places: never a sheet.
READ_WHOLE = frozenset({ARC_CONTENT_TYPES, ARC_ROOT_RELS, ARC_STYLE, ARC_THEME, ARC_CORE, ARC_APP, ARC_CUSTOM})


class Refused(Exception):
    """The file is refused as a whole: `message` for the user (Vietnamese), `rule` the rule it broke."""

    def __init__(self, message: str, rule: str):
        super().__init__(message)
        self.message = message
        self.rule = rule


@dataclass(frozen=True)
class Limits:
    unpacked_bytes: int
    ratio: int
    shared_strings_bytes: int


def limits() -> Limits:
    return Limits(
        unpacked_bytes=getattr(settings, "PARTYHUB_IMPORT_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES),
        ratio=getattr(settings, "PARTYHUB_IMPORT_MAX_UNPACKED_RATIO", DEFAULT_MAX_UNPACKED_RATIO),
        shared_strings_bytes=getattr(
            settings, "PARTYHUB_IMPORT_MAX_SHARED_STRINGS_BYTES", DEFAULT_MAX_SHARED_STRINGS_BYTES
        ),
    )


def size_text(size: int) -> str:
    """1 GB, 10 MB, 1,5 MB, 200 KB: for messages."""
    if size >= 1024 * MIB:
        return f"{size / 1024 / MIB:.1f}".removesuffix(".0").replace(".", ",") + " GB"
    if size >= MIB:
        return f"{size / MIB:.1f}".removesuffix(".0").replace(".", ",") + " MB"
    return f"{max(size // 1024, 1)} KB"


def number_text(n: int) -> str:
    """50.000: Vietnamese groups thousands with dots."""
    return f"{n:,}".replace(",", ".")


def broken(detail: str = "") -> Refused:
    detail = f" ({detail})" if detail else ""
    return Refused(f"Không mở được tệp Excel: tệp bị hỏng hoặc không đúng định dạng .xlsx{detail}.", RULE_FILE)


def too_many_rows(title: str, max_rows: int, rule: str, action: str = "nhập") -> Refused:
    """A sheet past `max_rows` + ROWS_ALLOWANCE rows, empty rows included: the guard's and the readers' refusal."""
    return Refused(
        f"Trang tính “{title}” có hơn {number_text(max_rows + ROWS_ALLOWANCE)} dòng, kể cả dòng trống; mỗi lần "
        f"{action} tối đa {number_text(max_rows)} dòng dữ liệu cộng {number_text(ROWS_ALLOWANCE)} dòng tiêu đề "
        f"hoặc dòng trống (quy định “{rule}”). Hãy xóa các dòng trống thừa ở cuối trang tính (chọn các dòng, "
        "chuột phải → Delete) hoặc chia thành nhiều tệp.",
        rule,
    )


SHEET, STRINGS, OTHER = "sheet", "strings", "other"


def check(source, *, max_rows: int, rows_rule: str, action: str = "nhập") -> None:
    """Raise Refused if the workbook in `source` (a seekable binary file) is not safe to hand to openpyxl.

    `max_rows` is the caller's data-row limit and `rows_rule` its name; `action` ("nhập", "đối chiếu")
    words the row message. `source` is left at its start.
    """
    try:
        source.seek(0)
        with zipfile.ZipFile(source) as archive:
            _Guard(archive, limits(), max_rows, rows_rule, action).run()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise broken() from error
    except (NotImplementedError, RuntimeError) as error:  # a packing zipfile cannot read, a password
        raise broken("kiểu nén hoặc mã hóa không được hỗ trợ") from error
    finally:
        source.seek(0)


class _Guard:
    def __init__(self, archive: zipfile.ZipFile, limits: Limits, max_rows: int, rows_rule: str, action: str):
        self.archive = archive
        self.limits = limits
        self.max_rows = max_rows
        self.ceiling = max_rows + ROWS_ALLOWANCE
        self.max_elements = BASE_ELEMENTS + ROW_ELEMENTS * max_rows
        self.rows_rule = rows_rule
        self.action = action
        self.unpacked = 0  # bytes really unpacked so far, all parts
        self.elements = 0  # elements seen so far, all parts
        self.kinds: dict[str, str] = {}
        self.titles: dict[str, str] = {}  # sheet part -> sheet name, for messages

    # --- 1. the central directory ----------------------------------------------------------------

    def run(self) -> None:
        infos = self.archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise Refused(
                f"Tệp .xlsx có {number_text(len(infos))} phần, nhiều hơn mức tối đa {number_text(MAX_MEMBERS)} "
                f"(quy định “{RULE_XML}”).",
                RULE_XML,
            )
        declared = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise broken("tệp có mật khẩu")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise broken("kiểu nén không được hỗ trợ")
            declared += info.file_size
            self._check_ratio(info.filename, info.file_size, info.compress_size)
        if declared > self.limits.unpacked_bytes:
            raise self._too_large(declared)
        by_name = {info.filename: info for info in infos}
        if len(by_name) < len(infos):
            raise broken("hai phần trùng tên")

        # --- 2. the parts, as openpyxl finds them, then every other -------------------------------
        done: set[str] = set()

        def scan(name: str, collect) -> None:
            if name in by_name and name not in done:
                done.add(name)
                self._scan(by_name[name], OTHER, collect)

        content_types = _ContentTypes()
        scan(CONTENT_TYPES, content_types)
        workbook = content_types.workbook_part()
        if workbook is not None:
            folder, leaf = posixpath.split(workbook)
            rels_path = posixpath.join(folder, "_rels", f"{leaf}.rels")
            relationships = _Relationships(rels_path)
            scan(rels_path, relationships)
            sheets = _Sheets()
            scan(workbook, sheets)
            self._sheet_parts(sheets, relationships, READ_WHOLE | {rels_path, workbook})
        strings = content_types.shared_strings_part()
        if strings is not None:
            if strings in self.titles:
                raise broken(f"trang tính “{self.titles[strings]}” trỏ tới bảng chuỗi dùng chung")
            self.kinds[strings] = STRINGS
        # Cheap parts first: a lie in a small one is found before a big one is unpacked.
        for info in sorted(infos, key=lambda i: i.file_size):
            if info.filename not in done:
                done.add(info.filename)
                self._scan(info, self.kinds.get(info.filename, OTHER))

    def _sheet_parts(self, sheets: "_Sheets", relationships: "_Relationships", read_whole: set[str]) -> None:
        """Only a part openpyxl streams as a sheet, and reads in no other way, may hold many rows."""
        if len(sheets.found) > MAX_SHEETS:
            raise Refused(
                f"Tệp có {number_text(len(sheets.found))} trang tính, nhiều hơn mức tối đa {MAX_SHEETS} "
                f"(quy định “{RULE_XML}”).",
                RULE_XML,
            )
        targets = Counter(target for _kind, target in relationships.by_id.values())
        for title, rel_id in sheets.found:
            rel = relationships.by_id.get(rel_id)
            if rel is None:
                continue
            kind, target = rel
            if target in self.titles:
                raise broken(f"hai trang tính “{self.titles[target]}” và “{title}” cùng trỏ tới một phần")
            self.titles[target] = title
            if "chartsheet" in kind:
                continue  # read whole by openpyxl: the tight limits of any other part
            if targets[target] > 1 or target in read_whole or target.endswith(".rels"):
                raise broken(f"trang tính “{title}” trỏ tới một phần không phải trang tính")
            self.kinds[target] = SHEET

    def _check_ratio(self, name: str, unpacked: int, packed: int) -> None:
        if unpacked > RATIO_FLOOR and unpacked > self.limits.ratio * max(packed, 1):
            ratio = unpacked // max(packed, 1)
            raise Refused(
                f"Phần “{name}” của tệp .xlsx nén chặt bất thường: {number_text(ratio)} lần "
                f"({size_text(packed)} giải nén thành {size_text(unpacked)}), vượt giới hạn "
                f"{self.limits.ratio} lần (quy định “{RULE_RATIO}”). Đây là dấu hiệu của tệp “bom giải nén”, "
                "không phải bảng tính Excel thông thường.",
                RULE_RATIO,
            )

    def _too_large(self, size: int, *, read: bool = False) -> Refused:
        # `read`: counted while unpacking, which stops as soon as the limit is passed.
        size_shown = f"hơn {size_text(self.limits.unpacked_bytes)}" if read else size_text(size)
        return Refused(
            f"Tệp .xlsx khi giải nén nặng {size_shown}, vượt giới hạn {size_text(self.limits.unpacked_bytes)} "
            f"(quy định “{RULE_UNPACKED}”). Hãy chia thành nhiều tệp nhỏ hơn.",
            RULE_UNPACKED,
        )

    def _part_too_large(self, name: str, kind: str, size: int, *, read: bool = False) -> Refused:
        limit = self.limits.shared_strings_bytes if kind == STRINGS else PART_BYTES
        size_shown = f"hơn {size_text(limit)}" if read else size_text(size)
        if kind == STRINGS:
            return Refused(
                f"Bảng chuỗi dùng chung của tệp ({name}) khi giải nén nặng {size_shown}, vượt giới hạn "
                f"{size_text(limit)} (quy định “{RULE_STRINGS}”). Hãy chia thành nhiều tệp nhỏ hơn.",
                RULE_STRINGS,
            )
        return Refused(
            f"Phần “{name}” của tệp .xlsx khi giải nén nặng {size_shown}, vượt giới hạn {size_text(limit)} của một "
            f"phần không phải trang tính (quy định “{RULE_UNPACKED}”).",
            RULE_UNPACKED,
        )

    # --- the stream ------------------------------------------------------------------------------

    def _scan(self, info: zipfile.ZipInfo, kind: str, collect=None) -> None:
        """Unpack one part in chunks, counting what really comes out, and parse it if it is XML."""
        limit = None if kind == SHEET else self.limits.shared_strings_bytes if kind == STRINGS else PART_BYTES
        if limit is not None and info.file_size > limit:
            raise self._part_too_large(info.filename, kind, info.file_size)
        part = _Part(self, info.filename, kind, collect)
        read = 0
        with self.archive.open(info) as member:
            while chunk := member.read(CHUNK):
                read += len(chunk)
                self.unpacked += len(chunk)
                if self.unpacked > self.limits.unpacked_bytes:
                    raise self._too_large(self.unpacked, read=True)
                if limit is not None and read > limit:
                    raise self._part_too_large(info.filename, kind, read, read=True)
                self._check_ratio(info.filename, read, info.compress_size)
                part.feed(chunk)
        part.close()


def _local(name: str) -> str:
    return name.rpartition(":")[2]


class _Part:
    """One part through expat: counts, and refuses as soon as a count passes its limit."""

    def __init__(self, guard: _Guard, name: str, kind: str, collect):
        self.guard = guard
        self.name = name
        self.kind = kind
        self.collect = collect
        self.xml: bool | None = None  # unknown until the first bytes: images and the like are not parsed
        self.head = b""
        self.record = {SHEET: "row", STRINGS: "si"}.get(kind)
        self.prefixed = f":{self.record}"  # the same element under a namespace prefix ("x:row")
        self.records = 0
        self.row_number = 0  # as openpyxl numbers rows: the "r" attribute, else the previous one plus one
        self.in_record = 0
        self.outside = 0
        self.events = 0
        self.quiet = 0
        parser = expat.ParserCreate()
        parser.ordered_attributes = True
        # A sheet's elements (most of a file's) through `_start_sheet`: the same counts and refusals.
        parser.StartElementHandler = self._start_sheet if kind == SHEET and collect is None else self._start
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._entity
        self.parser = parser

    def feed(self, chunk: bytes) -> None:
        if self.xml is None:
            self.head += chunk
            start = self.head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00")
            if not start:
                if len(self.head) > QUIET_BYTES:
                    raise broken(f"phần “{self.name}” chỉ có khoảng trắng")
                return
            self.xml = start.startswith(b"<")
            chunk, self.head = self.head, b""
        if not self.xml:
            return
        before = self.events
        try:
            self.parser.Parse(chunk, False)
        except expat.ExpatError as error:
            raise broken(f"phần “{self.name}” không phải XML hợp lệ") from error
        if self.events == before:
            self.quiet += len(chunk)
            if self.quiet > QUIET_BYTES:
                self._refuse(
                    f"Phần “{self.name}” của tệp có một đoạn XML (một ô, một thẻ hay một chú thích) dài hơn "
                    f"{size_text(QUIET_BYTES)}; một ô Excel chứa tối đa 32.767 ký tự"
                )
        else:
            self.quiet = 0

    def close(self) -> None:
        if self.xml:
            try:
                self.parser.Parse(b"", True)
            except expat.ExpatError as error:
                raise broken(f"phần “{self.name}” không phải XML hợp lệ") from error

    def _refuse(self, text: str, rule: str = RULE_XML):
        raise Refused(f"{text} (quy định “{rule}”).", rule)

    def _doctype(self, *_args) -> None:
        self._refuse(
            f"Phần “{self.name}” của tệp có khai báo DOCTYPE, thứ một bảng tính Excel không bao giờ có "
            "(cách tấn công “billion laughs” bằng thực thể XML lồng nhau); tệp bị từ chối"
        )

    def _entity(self, *_args) -> None:
        self._doctype()

    def _start(self, name: str, attributes: list) -> None:
        self.events += 1
        guard = self.guard
        guard.elements += 1
        if guard.elements > guard.max_elements:
            self._refuse(f"Tệp có hơn {number_text(guard.max_elements)} phần tử XML")
        if self.collect is not None:
            self.collect(_local(name), attributes)
        if self.record is not None and (name == self.record or name.endswith(self.prefixed)):
            self.records += 1
            self.in_record = 0
            if self.kind == SHEET:
                self._row(attributes)
            elif self.records > SHARED_STRINGS:
                self._refuse(f"Bảng chuỗi dùng chung của tệp có hơn {number_text(SHARED_STRINGS)} chuỗi", RULE_STRINGS)
        elif self.records:
            self.in_record += 1
            if self.in_record > RECORD_ELEMENTS:
                where = "một dòng" if self.kind == SHEET else "một chuỗi"
                self._refuse(
                    f"Phần “{self.name}” của tệp có hơn {number_text(RECORD_ELEMENTS)} phần tử XML trong {where} "
                    "hoặc sau mục cuối cùng"
                )
        else:
            self.outside += 1
            if self.outside > PART_ELEMENTS:
                self._refuse(f"Phần “{self.name}” của tệp có hơn {number_text(PART_ELEMENTS)} phần tử XML")

    def _start_sheet(self, name: str, attributes: list) -> None:
        """`_start` for a sheet part with nothing collected: the branches that cannot apply left out."""
        self.events += 1
        guard = self.guard
        guard.elements += 1
        if guard.elements > guard.max_elements:
            self._refuse(f"Tệp có hơn {number_text(guard.max_elements)} phần tử XML")
        if name == "row" or name.endswith(":row"):
            self.records += 1
            self.in_record = 0
            self._row(attributes)
        elif self.records:
            self.in_record += 1
            if self.in_record > RECORD_ELEMENTS:
                self._refuse(
                    f"Phần “{self.name}” của tệp có hơn {number_text(RECORD_ELEMENTS)} phần tử XML trong một dòng "
                    "hoặc sau mục cuối cùng"
                )
        else:
            self.outside += 1
            if self.outside > PART_ELEMENTS:
                self._refuse(f"Phần “{self.name}” của tệp có hơn {number_text(PART_ELEMENTS)} phần tử XML")

    def _row(self, attributes: list) -> None:
        number = None
        for key, value in zip(attributes[::2], attributes[1::2], strict=True):
            if key == "r":
                number = value
                break
        if number is None:
            self.row_number += 1
        else:
            try:
                self.row_number = int(number)
            except ValueError:
                raise broken(f"số dòng “{number[:20]}” không hợp lệ") from None
        guard = self.guard
        if self.records > guard.ceiling or self.row_number > guard.ceiling:
            raise too_many_rows(guard.titles.get(self.name, self.name), guard.max_rows, guard.rows_rule, guard.action)


class _ContentTypes:
    """[Content_Types].xml, for the workbook part and the shared-strings part as openpyxl finds them."""

    def __init__(self):
        self.overrides: list[tuple[str, str]] = []  # (part name without the leading "/", content type)
        self.defaults: set[str] = set()

    def __call__(self, local: str, attributes: list) -> None:
        if local not in ("Override", "Default"):
            return
        values = dict(zip(attributes[::2], attributes[1::2], strict=True))
        if local == "Override" and "PartName" in values:
            self.overrides.append((values["PartName"][1:], values.get("ContentType", "")))
        elif local == "Default":
            self.defaults.add(values.get("ContentType", ""))

    def _first(self, content_type: str) -> str | None:
        return next((name for name, ct in self.overrides if ct == content_type), None)

    def workbook_part(self) -> str | None:
        for content_type in WORKBOOK_TYPES:
            if (part := self._first(content_type)) is not None:
                return part
        return "xl/workbook.xml" if self.defaults & set(WORKBOOK_TYPES) else None

    def shared_strings_part(self) -> str | None:
        return self._first(SHARED_STRINGS_TYPE)


class _Relationships:
    """A .rels part: Id -> (Type, target as openpyxl resolves it)."""

    def __init__(self, path: str):
        self.parent = posixpath.split(posixpath.dirname(path))[0]
        self.by_id: dict[str, tuple[str, str]] = {}
        self.count = 0

    def __call__(self, local: str, attributes: list) -> None:
        if local != "Relationship":
            return
        self.count += 1
        values = dict(zip(attributes[::2], attributes[1::2], strict=True))
        target = values.get("Target", "")
        if values.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(self.parent, target))
        # openpyxl numbers a relationship without an Id by its place, and the last of an Id wins.
        self.by_id[values.get("Id") or f"rId{self.count}"] = (values.get("Type", ""), target)


class _Sheets:
    """The workbook part's <sheet> elements: (name, relationship id)."""

    def __init__(self):
        self.found: list[tuple[str, str]] = []

    def __call__(self, local: str, attributes: list) -> None:
        if local != "sheet":
            return
        values = dict(zip(attributes[::2], attributes[1::2], strict=True))
        rel_id = next((v for k, v in values.items() if _local(k) == "id" and k != "id"), None)
        self.found.append((values.get("name", ""), rel_id or ""))
