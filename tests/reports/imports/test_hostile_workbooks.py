"""Hostile workbooks: a tiny file must not take a worker down (issue 14, finding 3).

Each hostile file is built here (tests/reports/hostile.py) and fed to the Excel import (the web
request's look, the import itself, the marked workbook) and to the reconciliation's reader in a
child process whose address space is capped at 3 GiB, so a reader that runs away dies there and
not in the test run. The child reports its own peak memory and time; the refusal must be clear,
in Vietnamese, name its rule, and come within a bounded memory growth and a few seconds.
"""

import io
import zipfile
from types import SimpleNamespace

import openpyxl
import pytest

from reports.imports import guard, reader
from reports.imports.columns import MEMBERS
from reports.imports.service import import_workbook, inspect_workbook
from reports.reconcile import national
from reports.reconcile.national import NationalFileRefused, read_national
from tests.reports import hostile

# The members sheet's header row also holds the national list's required columns (Số CCCD, Họ và
# tên, Ngày sinh), so one file serves the import and the reconciliation alike.
TITLE, HEADERS = MEMBERS.title, MEMBERS.headers
PEAK_GROWTH_KIB = 300 * 1024  # what one refused file may add to a worker, at its peak
SECONDS = 10  # a refusal takes well under a second on an idle machine; CI runners are shared
NO_RATIO = {"PARTYHUB_IMPORT_MAX_UNPACKED_RATIO": "1000000"}  # to reach the rules behind the ratio


def refused_in_child(what: str, path, **settings) -> dict:
    outcome = hostile.run_in_child(what, path, settings=settings)
    assert "died" not in outcome and "error" not in outcome, outcome
    assert outcome["growth_kib"] < PEAK_GROWTH_KIB, outcome
    assert outcome["seconds"] < SECONDS, outcome
    if what != "marked":
        assert outcome["refused"], outcome
    return outcome


@pytest.fixture(scope="module")
def empty_rows(tmp_path_factory):
    """The probe's file: 177 KB, 20 million <row/>, 114 MB unpacked, no <dimension>."""
    return hostile.empty_rows_bomb(tmp_path_factory.mktemp("hostile") / "rows.xlsx", title=TITLE, headers=HEADERS)


def small_workbook(rows: int = 2, empty: int = 0, *, last_row: int | None = None) -> bytes:
    """The members sheet with `rows` data rows then `empty` empty <row/> (and one <row r=last_row/>)."""
    data = "".join(
        f'<row><c t="inlineStr"><is><t>00108500{n:04d}</t></is></c><c t="inlineStr"><is><t>Người {n}</t></is></c></row>'
        for n in range(rows)
    )
    tail = f'<row r="{last_row}"/>' if last_row else ""

    def sheet():
        yield (hostile.sheet_start(HEADERS) + data).encode()
        yield from hostile.repeated(b"<row/>", empty)
        yield (tail + hostile.SHEET_END).encode()

    stream = io.BytesIO()
    hostile.xlsx(stream, title=TITLE, sheet=sheet)
    return stream.getvalue()


def file_issue(data: bytes):
    total, issues = inspect_workbook(data)
    assert issues, total
    [issue] = issues
    return issue


# --- the probe's files, in a child process ---------------------------------------------------------


@pytest.mark.parametrize("what", ["import", "estimate", "reconcile", "marked"])
def test_twenty_million_empty_rows_are_refused_by_their_packing_at_once(empty_rows, what):
    assert empty_rows.stat().st_size < 200 * 1024
    outcome = refused_in_child(what, empty_rows)
    if what == "marked":
        # The hostile file is not loaded: the workbook handed back is the report sheet alone.
        assert outcome["sheets"] == ["Báo cáo lỗi"]
        return
    [message] = outcome["messages"]
    assert "nén chặt bất thường" in message and "vượt giới hạn 100 lần" in message
    assert f"“{guard.RULE_RATIO}”" in message


@pytest.mark.parametrize(("what", "limit"), [("import", "51.000"), ("reconcile", "101.000")])
def test_empty_rows_count_towards_the_row_limit_and_stop_the_reading(empty_rows, what, limit):
    # Without the ratio rule, the rows rule stops the same file at its 51,001st (101,001st) row.
    outcome = refused_in_child(what, empty_rows, **NO_RATIO)
    [message] = outcome["messages"]
    assert f"Trang tính “{TITLE}” có hơn {limit} dòng, kể cả dòng trống" in message
    assert "xóa các dòng trống thừa" in message


@pytest.fixture(scope="module")
def shared_strings(tmp_path_factory):
    """60 MiB of shared strings packed into about 100 KB."""
    path = tmp_path_factory.mktemp("hostile") / "sst.xlsx"
    return hostile.shared_strings_bomb(path, title=TITLE, headers=HEADERS, unpacked=60 << 20)


@pytest.mark.parametrize("what", ["import", "reconcile"])
def test_a_shared_strings_bomb_is_refused_before_openpyxl_reads_the_table(shared_strings, what):
    assert shared_strings.stat().st_size < 200 * 1024 and hostile.unpacked_size(shared_strings) > 60_000_000
    [message] = refused_in_child(what, shared_strings)["messages"]
    assert "xl/sharedStrings.xml" in message and f"“{guard.RULE_RATIO}”" in message


def test_a_shared_strings_table_over_its_own_limit_is_refused_naming_it(shared_strings):
    [message] = refused_in_child("import", shared_strings, **NO_RATIO)["messages"]
    assert message.startswith("Bảng chuỗi dùng chung của tệp (xl/sharedStrings.xml) khi giải nén nặng 60 MB")
    assert f"vượt giới hạn 50 MB (quy định “{guard.RULE_STRINGS}”)" in message


@pytest.mark.parametrize("what", ["import", "reconcile"])
def test_billion_laughs_is_refused_at_its_doctype(tmp_path, what):
    path = hostile.billion_laughs(tmp_path / "lol.xlsx", title=TITLE, headers=HEADERS)
    [message] = refused_in_child(what, path)["messages"]
    assert "khai báo DOCTYPE" in message and "billion laughs" in message and f"“{guard.RULE_XML}”" in message


def test_openpyxl_itself_refuses_entities_through_defusedxml(tmp_path):
    """The second wall, should a workbook ever reach openpyxl without the guard."""
    from defusedxml import EntitiesForbidden

    assert openpyxl.DEFUSEDXML is True
    path = hostile.billion_laughs(tmp_path / "lol.xlsx", title=TITLE, headers=HEADERS)
    # Opened here: openpyxl leaves a file it opened itself open when it refuses the workbook.
    with path.open("rb") as stream, pytest.raises(ValueError, match="Unable to read workbook") as refused:
        openpyxl.load_workbook(stream, read_only=True)  # looking for the sheet's size already parses it
    assert isinstance(refused.value.__cause__, EntitiesForbidden)


@pytest.mark.parametrize("what", ["import", "reconcile"])
def test_a_flood_of_merged_ranges_is_refused_by_its_element_count(tmp_path, what):
    path = hostile.merge_cells_flood(tmp_path / "merge.xlsx", title=TITLE, headers=HEADERS, count=300_000)
    [message] = refused_in_child(what, path)["messages"]
    assert "có hơn 50.000 phần tử XML" in message and f"“{guard.RULE_XML}”" in message


@pytest.mark.parametrize("what", ["import", "reconcile"])
def test_a_zip_whose_headers_lie_about_the_unpacked_size_is_refused_as_broken(tmp_path, what):
    path = hostile.empty_rows_bomb(tmp_path / "lie.xlsx", title=TITLE, headers=HEADERS, rows=5_000_000)
    hostile.lie_about_sizes(path, hostile.SHEET_PATH, 3000)  # 30 MB said to be 3 KB: passes the ratio
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo(hostile.SHEET_PATH).file_size == 3000
    [message] = refused_in_child(what, path)["messages"]
    assert message.startswith("Không mở được tệp Excel: tệp bị hỏng")


# --- the rules one by one, in process (small files) -------------------------------------------------


def test_a_part_unpacking_to_more_than_its_header_says_is_stopped_at_the_limit(settings):
    """The count of what is really unpacked, whatever the zip reader trusts: a stand-in archive whose
    member yields more than its header declares."""
    settings.PARTYHUB_IMPORT_MAX_UNPACKED_BYTES = 1 << 20
    info = SimpleNamespace(filename="xl/worksheets/sheet1.xml", file_size=1000, compress_size=1000)
    body = hostile.sheet_start(HEADERS).encode() + b"<row/>" * 400_000  # 2.4 MB
    archive = SimpleNamespace(open=lambda _info: io.BytesIO(body))
    scan = guard._Guard(archive, guard.limits(), 10**6, "rule", "nhập")
    with pytest.raises(guard.Refused) as refused:
        scan._scan(info, guard.SHEET)
    assert refused.value.rule == guard.RULE_UNPACKED
    assert "nặng hơn 1 MB, vượt giới hạn 1 MB" in refused.value.message
    assert scan.unpacked <= (1 << 20) + guard.CHUNK  # stopped at the first chunk past the limit


def test_the_total_unpacked_size_is_checked_on_the_zip_directory(settings):
    settings.PARTYHUB_IMPORT_MAX_UNPACKED_BYTES = 4096
    issue = file_issue(small_workbook(rows=200))
    assert issue.rule == guard.RULE_UNPACKED
    assert "vượt giới hạn 4 KB (quy định “Dung lượng giải nén tối đa”)" in issue.message


def test_empty_rows_up_to_the_allowance_pass_and_one_more_is_refused(monkeypatch):
    monkeypatch.setattr(reader, "MAX_ROWS", 10)
    # Header + 2 data rows + empty rows: the sheet may have 10 + 1,000 rows in all.
    assert inspect_workbook(small_workbook(rows=2, empty=1007)) == (2, [])
    issue = file_issue(small_workbook(rows=2, empty=1008))
    assert issue.rule == reader.RULE_ROWS
    assert "có hơn 1.010 dòng, kể cả dòng trống; mỗi lần nhập tối đa 10 dòng dữ liệu" in issue.message


def test_a_jump_to_the_last_row_of_the_sheet_counts_its_empty_rows(monkeypatch):
    monkeypatch.setattr(reader, "MAX_ROWS", 10)
    issue = file_issue(small_workbook(rows=2, last_row=1_048_576))
    assert "có hơn 1.010 dòng, kể cả dòng trống" in issue.message


def test_without_the_guard_the_readers_still_count_empty_rows_and_stop(monkeypatch, settings):
    """The readers' own count, the second wall: each stops at the first row past the limit."""
    monkeypatch.setattr(guard, "check", lambda *args, **kwargs: None)
    monkeypatch.setattr(reader, "MAX_ROWS", 10)
    data = small_workbook(rows=2, empty=5_000)
    issue = file_issue(data)
    assert issue.rule == reader.RULE_ROWS and "có hơn 1.010 dòng, kể cả dòng trống" in issue.message
    result = import_workbook(data, dry_run=True)
    assert result.refused_file and "kể cả dòng trống" in result.issues[0].message

    settings.PARTYHUB_RECONCILE_MAX_ROWS = 10
    with pytest.raises(NationalFileRefused) as refused:
        read_national(io.BytesIO(data))
    assert "có hơn 1.010 dòng, kể cả dòng trống; mỗi lần đối chiếu tối đa 10 dòng" in refused.value.message
    assert national.RULE_ROWS in refused.value.message


def test_a_long_run_of_xml_without_a_tag_is_refused(settings):
    settings.PARTYHUB_IMPORT_MAX_UNPACKED_RATIO = 10**6  # one letter repeated packs far past the ratio
    text = "A" * (guard.QUIET_BYTES + 2 * guard.CHUNK)

    def sheet():
        yield (hostile.sheet_start(HEADERS) + f'<row><c t="inlineStr"><is><t>{text}</t></is></c></row>').encode()
        yield hostile.SHEET_END.encode()

    stream = io.BytesIO()
    hostile.xlsx(stream, title=TITLE, sheet=sheet)
    issue = file_issue(stream.getvalue())
    assert issue.rule == guard.RULE_XML and "dài hơn 1 MB" in issue.message


def test_too_many_shared_strings_are_refused(monkeypatch):
    monkeypatch.setattr(guard, "SHARED_STRINGS", 500)
    stream = io.BytesIO()
    hostile.shared_strings_bomb(stream, title=TITLE, headers=HEADERS, unpacked=600 * 1016)  # 600 strings
    issue = file_issue(stream.getvalue())
    assert issue.rule == guard.RULE_STRINGS and "có hơn 500 chuỗi" in issue.message


def test_two_sheets_on_one_part_and_other_packings_are_refused_as_broken():
    good = small_workbook()
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}

    def rebuilt(changes: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression) as archive:
            for name, content in (parts | changes).items():
                archive.writestr(name, content)
        return out.getvalue()

    twice = parts["xl/workbook.xml"].replace(b"</sheets>", b'<sheet name="Copy" sheetId="2" r:id="rId1"/></sheets>')
    issue = file_issue(rebuilt({"xl/workbook.xml": twice}))
    assert issue.rule == guard.RULE_FILE and "cùng trỏ tới một phần" in issue.message

    issue = file_issue(rebuilt({}, zipfile.ZIP_BZIP2))
    assert issue.rule == guard.RULE_FILE and "kiểu nén không được hỗ trợ" in issue.message

    doctype = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]>' + parts["xl/workbook.xml"].split(b"?>", 1)[1]
    issue = file_issue(rebuilt({"xl/workbook.xml": doctype}))
    assert issue.rule == guard.RULE_XML and "xl/workbook.xml" in issue.message


def test_real_workbooks_pass_the_guard():
    from reports.imports.template import template_workbook
    from tests.reports.reconcile.test_reconcile import NATIONAL_ROWS, national_xlsx

    for data in (template_workbook(), small_workbook(rows=3000), national_xlsx(NATIONAL_ROWS).getvalue()):
        guard.check(io.BytesIO(data), max_rows=reader.MAX_ROWS, rows_rule=reader.RULE_ROWS)
    assert inspect_workbook(small_workbook(rows=3000)) == (3000, [])
