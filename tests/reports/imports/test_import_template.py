"""The import template (reports/imports/template.py) and the documented format (docs/import-format.md)."""

import datetime
import io
import re
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from reports.imports import reader
from reports.imports.cells import choice_labels
from reports.imports.columns import BOOL, CHOICE, CITIZEN_ID, DATE, INT, ORGANISATIONS, QUOTAS, SHEETS
from reports.imports.template import GUIDE_TITLE, LISTS_TITLE, is_example_row, template_workbook

DOC = Path(__file__).resolve().parents[3] / "docs" / "import-format.md"


@pytest.fixture(scope="module")
def data() -> bytes:
    return template_workbook()


@pytest.fixture(scope="module")
def book(data):
    return openpyxl.load_workbook(io.BytesIO(data))


def _read_only_row(data: bytes, title: str, number: int, width: int) -> list:
    """A row as the import reads it: read-only mode, formulas kept, padded to the sheet's columns."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    row = next(book[title].iter_rows(min_row=number, max_row=number, values_only=True), ())
    book.close()
    return [*row, *[None] * (width - len(row))][:width]


def _validations(ws, letter: str) -> list:
    """The data validations covering rows 2 to 5000 of a column."""
    return [
        v
        for v in ws.data_validations.dataValidation
        if f"{letter}2" in v.sqref and f"{letter}5000" in v.sqref and f"{letter}5001" not in v.sqref
    ]


def _list_values(book, formula: str) -> list[str]:
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet, _bang, cells = formula.rpartition("!")
    ws = book[sheet.strip("'")]
    return [c.value for row in ws[cells.replace("$", "")] for c in row]


def test_the_template_opens_with_the_guide_first_then_every_sheet_in_import_order(book):
    titles = book.sheetnames
    assert titles[0] == GUIDE_TITLE
    assert [t for t in titles if t not in (GUIDE_TITLE, LISTS_TITLE)] == [spec.title for spec in SHEETS]
    assert book[LISTS_TITLE].sheet_state == "hidden"


def test_each_sheet_has_its_headers_in_order_in_a_bold_frozen_first_row(book):
    for spec in SHEETS:
        ws = book[spec.title]
        assert [c.value for c in ws[1]][: len(spec.columns)] == spec.headers
        assert ws.max_column == len(spec.columns)
        assert ws.freeze_panes == "A2"
        assert all(c.font.bold and c.alignment.wrap_text for c in ws[1])


def test_the_reader_accepts_the_template_and_skips_its_untouched_example_rows(data):
    workbook, issues = reader.open_workbook(data)
    assert issues == []
    assert [spec for spec, _ws, _mapping in workbook.sheets] == list(SHEETS)
    try:
        assert list(reader.rows(workbook)) == []
    finally:
        workbook.close()


def test_header_comments_say_whether_required_and_carry_the_help(book):
    ws = book[ORGANISATIONS.title]
    code = ORGANISATIONS.column("code")
    comment = ws.cell(row=1, column=1).comment.text
    assert comment.startswith("Bắt buộc.")
    assert code.help in comment
    optional = ws.cell(row=1, column=ORGANISATIONS.columns.index(ORGANISATIONS.column("sector")) + 1).comment.text
    assert not optional.startswith("Bắt buộc")


def test_every_choice_column_has_a_drop_down_list_of_all_its_labels(book):
    checked = 0
    for spec in SHEETS:
        ws = book[spec.title]
        for index, column in enumerate(spec.columns, start=1):
            if column.kind != CHOICE:
                continue
            found = [v for v in _validations(ws, get_column_letter(index)) if v.type == "list"]
            assert len(found) == 1, f"{spec.title} / {column.header}"
            assert _list_values(book, found[0].formula1) == choice_labels(column.choices), column.header
            assert found[0].allow_blank
            checked += 1
    assert checked >= 15


def test_a_label_with_a_comma_is_listed_from_the_hidden_sheet_not_inline(book):
    ws = book[ORGANISATIONS.title]
    sector = ORGANISATIONS.columns.index(ORGANISATIONS.column("sector")) + 1
    (validation,) = _validations(ws, get_column_letter(sector))
    assert validation.formula1.startswith(f"'{LISTS_TITLE}'!")
    assert "Nông thôn, khu dân cư" in _list_values(book, validation.formula1)


@pytest.mark.parametrize(
    ("kind", "type_", "formula1"),
    [
        (BOOL, "list", '"Có,Không"'),
        (DATE, "date", "DATE(1900,1,1)"),
        (INT, "whole", "0"),
        (CITIZEN_ID, "textLength", "12"),
    ],
)
def test_typed_columns_have_their_validation_over_rows_2_to_5000(book, kind, type_, formula1):
    checked = 0
    for spec in SHEETS:
        ws = book[spec.title]
        for index, column in enumerate(spec.columns, start=1):
            if column.kind == kind:
                (validation,) = _validations(ws, get_column_letter(index))
                assert (validation.type, validation.formula1, validation.allow_blank) == (type_, formula1, True)
                checked += 1
    assert checked


def test_the_example_row_holds_real_dates_and_numbers_in_grey_italics(book):
    ws = book[ORGANISATIONS.title]
    founded = ws.cell(row=2, column=ORGANISATIONS.columns.index(ORGANISATIONS.column("founded_on")) + 1)
    assert founded.value == datetime.datetime(2025, 7, 1)
    assert founded.number_format == "DD/MM/YYYY"
    assert ws.cell(row=2, column=1).font.italic
    quotas = book[QUOTAS.title]
    value = quotas.cell(row=2, column=QUOTAS.columns.index(QUOTAS.column("value")) + 1).value
    assert value == 12 and isinstance(value, int)
    assert book["Đảng viên"].cell(row=2, column=1).value == "001085012345"  # leading zeros kept


@pytest.mark.parametrize("spec", SHEETS, ids=lambda s: s.key)
def test_each_example_row_is_recognised_as_it_is_read_back(data, spec):
    values = _read_only_row(data, spec.title, 2, len(spec.columns))
    assert is_example_row(spec, values)


@pytest.mark.parametrize("spec", SHEETS, ids=lambda s: s.key)
def test_an_example_row_with_any_cell_changed_is_data(data, spec):
    values = _read_only_row(data, spec.title, 2, len(spec.columns))
    for index in range(len(values)):
        changed = list(values)
        changed[index] = "x" if changed[index] is None else None
        assert not is_example_row(spec, changed), spec.columns[index].header


def test_a_typed_date_or_a_citizen_id_read_as_a_number_still_counts_as_the_example(data):
    spec = SHEETS[1]
    values = _read_only_row(data, spec.title, 2, len(spec.columns))
    birth = spec.columns.index(spec.column("date_of_birth"))
    values[birth] = "15/03/1985"
    values[0] = 1085012345
    assert is_example_row(spec, values)
    values[birth] = "16/03/1985"
    assert not is_example_row(spec, values)


def test_a_changed_example_row_is_imported_like_any_other(data):
    book = openpyxl.load_workbook(io.BytesIO(data))
    book[ORGANISATIONS.title].cell(row=2, column=2, value="Chi bộ thôn Tây")
    out = io.BytesIO()
    book.save(out)
    workbook, issues = reader.open_workbook(out.getvalue())
    assert issues == []
    try:
        rows = list(reader.rows(workbook))
    finally:
        workbook.close()
    assert [(r.spec.key, r.number, r.raw["name"]) for r in rows] == [("organisations", 2, "Chi bộ thôn Tây")]


def test_the_guide_lists_every_column_of_every_sheet(book):
    ws = book[GUIDE_TITLE]
    listed = {(row[0], row[1]) for row in ws.iter_rows(values_only=True) if row[0] and row[1]}
    for spec in SHEETS:
        for header in spec.headers:
            assert (spec.title, header) in listed


# --- docs/import-format.md -------------------------------------------------------------------


def _doc_section(text: str, title: str) -> str:
    match = re.search(rf"^### Sheet “{re.escape(title)}”.*?$(.*?)(?=^##)", text, flags=re.S | re.M)
    assert match, f"docs/import-format.md has no section for the sheet “{title}”"
    return match.group(1)


def _table(section: str) -> list[list[str]]:
    rows = [
        [c.strip() for c in line.strip().strip("|").split("|")] for line in section.splitlines() if line.startswith("|")
    ]
    return rows[2:]  # past the header and the --- line


@pytest.mark.parametrize("spec", SHEETS, ids=lambda s: s.key)
def test_the_documentation_describes_every_column_of_every_sheet_in_order(spec):
    rows = _table(_doc_section(DOC.read_text(encoding="utf-8"), spec.title))
    assert [r[0] for r in rows] == spec.headers
    for row, column in zip(rows, spec.columns, strict=True):
        assert (row[1] == "yes") == column.required, f"{spec.title} / {column.header}: required?"
        if column.choices is not None:
            for label in choice_labels(column.choices):
                assert label in row[3], f"{spec.title} / {column.header}: label “{label}” not documented"


def test_the_documentation_states_the_limits_the_engine_applies():
    text = DOC.read_text(encoding="utf-8")
    assert f"{reader.MAX_ROWS:,} data rows" in text
    assert "PARTYHUB_IMPORT_MAX_BYTES" in text and "10 MiB" in text
    assert "31/02/2024" in text and "reconciliation.md" in text
