"""Hostile .xlsx files, built by hand with zipfile, and a child process to feed them to a reader.

Each builder streams its big part into the zip member in chunks, so a file that unpacks to hundreds
of megabytes is made in a second or two without ever holding them. `run_in_child` parses a file in a
fresh interpreter whose address space is capped (RLIMIT_AS), so a reader that runs away dies there
and not in the test process, and reports the child's own peak memory (ru_maxrss) and time.
"""

import json
import os
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOOK_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
SST_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHEET_PATH = "xl/worksheets/sheet1.xml"
SST_PATH = "xl/sharedStrings.xml"

CHUNK = 1 << 20


def _content_types(shared_strings: bool) -> str:
    sst = f'<Override PartName="/{SST_PATH}" ContentType="{SST_CT}"/>' if shared_strings else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{CT}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{BOOK_CT}"/>'
        f'<Override PartName="/{SHEET_PATH}" ContentType="{SHEET_CT}"/>{sst}</Types>'
    )


def _workbook(title: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
        f'<sheets><sheet name="{escape(title)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _workbook_rels(shared_strings: bool) -> str:
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    sst = f'<Relationship Id="rId2" Type="{kind}sharedStrings" Target="sharedStrings.xml"/>' if shared_strings else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{kind}worksheet" Target="worksheets/sheet1.xml"/>{sst}</Relationships>'
    )


ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def header_row(headers: Iterable[str]) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{escape(h)}</t></is></c>' for h in headers)
    return f'<row r="1">{cells}</row>'


def sheet_start(headers: Iterable[str], prolog: str = "") -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}"><sheetData>{header_row(headers)}'


SHEET_END = "</sheetData></worksheet>"


def repeated(piece: bytes, times: int) -> Iterable[bytes]:
    """`piece` `times` times, in chunks of about a megabyte."""
    per_chunk = max(1, CHUNK // len(piece))
    block = piece * per_chunk
    full, rest = divmod(times, per_chunk)
    for _ in range(full):
        yield block
    if rest:
        yield piece * rest


def xlsx(
    path: Path,
    *,
    title: str,
    sheet: Callable[[], Iterable[bytes]],
    shared_strings: Callable[[], Iterable[bytes]] | None = None,
) -> Path:
    """A minimal workbook (one sheet, optionally a shared-strings part) whose big parts are streamed."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("[Content_Types].xml", _content_types(shared_strings is not None))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", _workbook(title))
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(shared_strings is not None))
        if shared_strings is not None:
            # force_zip64: a member written through open() must be told it may pass 2 GiB.
            with archive.open(SST_PATH, "w", force_zip64=True) as member:
                for chunk in shared_strings():
                    member.write(chunk)
        with archive.open(SHEET_PATH, "w", force_zip64=True) as member:
            for chunk in sheet():
                member.write(chunk)
    return path


def empty_rows_bomb(path: Path, *, title: str, headers: list[str], rows: int = 20_000_000) -> Path:
    """A header row, then `rows` empty <row/> elements and no <dimension>: 6 bytes a row unpacked."""

    def sheet():
        yield sheet_start(headers).encode()
        yield from repeated(b"<row/>", rows)
        yield SHEET_END.encode()

    return xlsx(path, title=title, sheet=sheet)


def shared_strings_bomb(path: Path, *, title: str, headers: list[str], unpacked: int = 1 << 30) -> Path:
    """A shared-strings table of about `unpacked` bytes: 1 KiB strings, the sheet itself tiny."""
    text = b"A" * 1000
    piece = b"<si><t>" + text + b"</t></si>"
    count = unpacked // len(piece)

    def strings():
        head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">'
        yield head.encode()
        yield from repeated(piece, count)
        yield b"</sst>"

    def sheet():
        yield (sheet_start(headers) + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>' + SHEET_END).encode()

    return xlsx(path, title=title, sheet=sheet, shared_strings=strings)


def billion_laughs(path: Path, *, title: str, headers: list[str]) -> Path:
    """Ten levels of ten entities each in the sheet's DOCTYPE: 10^9 "lol"s once expanded."""
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    prolog = f"<!DOCTYPE worksheet [{''.join(entities)}]>"

    def sheet():
        yield (
            sheet_start(headers, prolog) + '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        ).encode()
        yield SHEET_END.encode()

    return xlsx(path, title=title, sheet=sheet)


def merge_cells_flood(path: Path, *, title: str, headers: list[str], count: int = 2_000_000) -> Path:
    """A small sheet followed by `count` distinct merged ranges: no rows at all, just elements."""

    def sheet():
        yield (sheet_start(headers) + "</sheetData>").encode()
        yield f'<mergeCells count="{count}">'.encode()
        batch = []
        for n in range(count):
            batch.append(f'<mergeCell ref="A{2 * n + 2}:B{2 * n + 3}"/>')
            if len(batch) == 20_000:
                yield "".join(batch).encode()
                batch = []
        yield ("".join(batch) + "</mergeCells></worksheet>").encode()

    return xlsx(path, title=title, sheet=sheet)


def lie_about_sizes(path: Path, member: str, size: int) -> Path:
    """Rewrite `member`'s unpacked size in both its local header and the central directory."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    # Local file header: signature, versions, flags, method, time, date, crc, sizes at +18 / +22.
    local = info.header_offset
    assert data[local : local + 4] == b"PK\x03\x04"
    # The central directory entry: found by its signature and the member's name after it.
    name = member.encode()
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    assert central > local

    def rewrite_sizes(offset: int, size_at: int, extra_len_at: int, name_len_at: int, fixed: int):
        if struct.unpack_from("<I", data, offset + size_at)[0] != 0xFFFFFFFF:
            struct.pack_into("<I", data, offset + size_at, size)
            return
        # Zip64: the real sizes live in the extra field (id 0x0001), unpacked size first.
        name_len = struct.unpack_from("<H", data, offset + name_len_at)[0]
        extra_len = struct.unpack_from("<H", data, offset + extra_len_at)[0]
        extra = offset + fixed + name_len
        end = extra + extra_len
        while extra < end:
            tag, length = struct.unpack_from("<HH", data, extra)
            if tag == 1:
                struct.pack_into("<Q", data, extra + 4, size)
                return
            extra += 4 + length
        raise AssertionError("no zip64 extra field")

    rewrite_sizes(local, 22, 28, 26, 30)
    rewrite_sizes(central, 24, 30, 28, 46)
    path.write_bytes(bytes(data))
    return path


def unpacked_size(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        total = 0
        for info in archive.infolist():
            with archive.open(info) as member:
                try:
                    while chunk := member.read(CHUNK):
                        total += len(chunk)
                except zipfile.BadZipFile:
                    pass  # a lying header: what was read until the CRC check
        return total


CHILD = r"""
import io, json, os, resource, sys, time
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyhub.settings")
django.setup()
from reports.imports import service
from reports.reconcile import national
data = open(sys.argv[2], "rb").read()
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
outcome = {"refused": False, "messages": []}
try:
    if sys.argv[1] == "import":
        result = service.import_workbook(data, dry_run=True)
        outcome["refused"] = result.refused_file
        outcome["messages"] = [i.message for i in result.issues[:5]]
    elif sys.argv[1] == "estimate":
        total, issues = service.estimate_workbook(data)
        outcome["refused"] = bool(issues)
        outcome["messages"] = [i.message for i in issues[:5]]
    elif sys.argv[1] == "marked":
        from reports.imports import marked
        import openpyxl
        made = marked.marked_workbook(data, [])
        outcome["sheets"] = openpyxl.load_workbook(io.BytesIO(made), read_only=True).sheetnames
    else:
        try:
            national.read_national(io.BytesIO(data))
        except national.NationalFileRefused as refused:
            outcome["refused"] = True
            outcome["messages"] = [refused.message]
except MemoryError:
    outcome["error"] = "MemoryError"
except BaseException as error:
    outcome["error"] = f"{type(error).__name__}: {str(error)[:300]}"
outcome["seconds"] = time.perf_counter() - started
outcome["peak_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
outcome["growth_kib"] = outcome["peak_kib"] - baseline
print(json.dumps(outcome))
"""

ROOT = Path(__file__).resolve().parents[2]


def run_in_child(
    what: str,
    path: Path,
    *,
    address_space: int = 3 << 30,
    timeout: float = 120,
    root: Path = ROOT,
    settings: dict[str, str] | None = None,
) -> dict:
    """Feed the file to the import ("import": import_workbook, "estimate": the web request's look,
    "marked": the workbook handed back with its errors marked) or to the reconciliation ("reconcile":
    read_national) in a fresh interpreter capped at `address_space` bytes, with `settings` added to
    its environment (PARTYHUB_... overrides).

    The answer: the child's outcome (refused, messages), its time, and its peak memory in KiB
    (ru_maxrss, as the kernel reports it for the child, also when the child died or was killed at
    `timeout`); "growth_kib" is the peak less what the child held before the call. `root`: the
    checkout whose code is run (another one, to measure an older version)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    # Nothing here should reach a database; if it does, it reaches an empty in-memory one.
    env["DATABASE_URL"] = "sqlite://:memory:"
    env["PYTHONPATH"] = str(root)
    env.update(settings or {})
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, what, str(path), str(address_space)],
            stdout=out,
            stderr=err,
            cwd=root,
            env=env,
        )
        killer = threading.Timer(timeout, child.kill)
        killer.start()
        try:
            _pid, status, usage = os.wait4(child.pid, 0)
        finally:
            killer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        lines = out.read().decode().strip().splitlines()
        stderr = err.read().decode()[-2000:]
    if child.returncode or not lines:
        return {
            "died": child.returncode,
            "timed_out": elapsed >= timeout,
            "seconds": elapsed,
            "peak_kib": usage.ru_maxrss,
            "stderr": stderr,
        }
    return json.loads(lines[-1])
