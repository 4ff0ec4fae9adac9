"""Every workbook PartyHub writes puts text in string cells: a person or a unit named "=1+1" (or
`=HYPERLINK(...)`, "@SUM(A1)", "#REF!") comes out as that text, never as a live formula or an error
value, whichever export writes it (docs/security.md, "Formula injection and hidden characters")."""

import datetime
import io
import re
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from members.vocabulary import Level, MemberStatus, Sector
from reports.exports import cells, xlsx
from reports.imports.columns import ORGANISATIONS
from reports.imports.marked import ERROR_HEADER, REPORT_TITLE, marked_workbook
from reports.imports.report import Issue
from reports.imports.template import template_workbook
from reports.progress import periods
from tests.cast import add_recruitment
from tests.factories import MemberFactory, OrganisationFactory, PersonFactory
from tests.reports.builders import quota
from tests.reports.reconcile.test_reconcile import national_xlsx

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","y")'
NAMES = [HYPERLINK, "=1+1", "@SUM(A1)", "#REF!"]
TODAY = datetime.date(2026, 11, 23)

# --- what the files hold ------------------------------------------------------------------------


def formula_parts(data: bytes) -> list[str]:
    """The worksheets of the file whose XML holds a formula element (`<f>`, `<f t=...>` or `<f/>`)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and re.search(rb"<f[\s>/]", archive.read(name))
        ]


def cells_holding(data: bytes, texts) -> dict[str, list]:
    """Every cell of every sheet whose value is one of `texts`, by value."""
    found: dict[str, list] = {}
    for ws in load_workbook(io.BytesIO(data)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in texts:
                    found.setdefault(cell.value, []).append(cell)
    return found


def assert_written_as_text(data: bytes, texts=NAMES) -> None:
    found = cells_holding(data, texts)
    assert set(found) == set(texts), f"not in the file: {set(texts) - set(found)}"
    for text, holding in found.items():
        assert {c.data_type for c in holding} == {"s"}, f"{text!r}: {[(c.coordinate, c.data_type) for c in holding]}"
    assert formula_parts(data) == []


def body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- a tree whose names are formulas ------------------------------------------------------------


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    return TODAY


@pytest.fixture
def tree(cast):
    """Commune X of the cast with a cell and members (admitted in 2025) named like formulas."""
    cell = OrganisationFactory(
        code="F", name="@SUM(A1)", level=Level.CELL, parent=cast.commune_x, sector=Sector.RESIDENTIAL
    )
    for name in NAMES:
        MemberFactory(
            cell=cell,
            person=PersonFactory(full_name=name, date_of_birth=datetime.date(1990, 1, 2)),
            admission_decision_date=datetime.date(2025, 4, 10),
            ceremony_date=datetime.date(2025, 4, 10),
            recognition_date=None,
            status=MemberStatus.PROBATIONARY,
        )
    return cell


def test_the_member_list_dang_vien_xlsx(client, cast, tree):
    client.force_login(cast.commune_board)
    url = reverse("reports:export_people_xlsx", args=[cast.commune_x.pk])
    assert_written_as_text(body(client.get(url, {"status": "all"})))


def test_the_subtree_in_the_import_format_du_lieu_xlsx(client, cast, tree):
    person = add_recruitment(cast).candidate_a.person
    person.full_name = "=3+3"
    person.save()
    client.force_login(cast.commune_board)
    data = body(client.get(reverse("reports:export_import_format", args=[cast.commune_x.pk])))
    assert_written_as_text(data, [*NAMES, "=3+3"])
    sheet = load_workbook(io.BytesIO(data))[ORGANISATIONS.title]
    assert "@SUM(A1)" in [c.value for c in sheet["B"]]


def test_the_progress_report_tai_xuong_xlsx_and_bieu_2(client, admin_user, today):
    province = OrganisationFactory(code="P9", name=HYPERLINK, level=Level.PROVINCE)
    commune = OrganisationFactory(code="C9", name="=1+1", level=Level.COMMUNE, parent=province)
    for code, name in (("C9A", "@SUM(A1)"), ("C9B", "#REF!")):
        cell = OrganisationFactory(code=code, name=name, level=Level.CELL, parent=commune, sector=Sector.RESIDENTIAL)
        MemberFactory(cell=cell, admission_decision_date=datetime.date(2026, 3, 1))
    quota(commune, periods.year(2026), value=4, metric="admissions")
    client.force_login(admin_user)
    progress = body(client.get(reverse("reports:export_progress_xlsx", args=[commune.pk]), {"ky": "2026"}))
    assert_written_as_text(progress, ["=1+1", "@SUM(A1)", "#REF!"])
    breakdown = body(client.get(reverse("reports:export_breakdown_xlsx", args=[commune.pk]), {"ky": "2026"}))
    assert_written_as_text(breakdown, ["=1+1"])


def test_the_deadlines(client, cast, today):
    recruitment = add_recruitment(cast)
    for candidate, name in zip((recruitment.candidate_a, recruitment.candidate_b), NAMES, strict=False):
        candidate.person.full_name = name
        candidate.person.save()
    client.force_login(cast.commune_board)
    data = body(client.get(reverse("reports:export_deadlines_xlsx", args=[cast.commune_x.pk])))
    assert_written_as_text(data, NAMES[:2])


def test_the_upward_export_ket_nap_xlsx(client, cast, tree):
    client.force_login(cast.commune_board)
    url = reverse("reports:reconcile_upward_xlsx", args=[cast.commune_x.pk])
    data = body(client.get(url, {"period": "2025"}))
    assert_written_as_text(data)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2, values_only=True))
    assert {r[1] for r in rows} == set(NAMES)
    assert all(isinstance(r[2], datetime.datetime) for r in rows)  # dates stay dates


def test_the_reconciliation_report(client, cast, tree):
    """Our names, a name of the national list written as text, and one written as a formula (quoted
    among the rows not read), all come out as text; so does the uploaded file's name."""
    rows = [
        ["001200000111", "=1+1", "02/01/1990", "@SUM(A1)", "10/04/2025", ""],
        ["001200000112", '=HYPERLINK("http://z","z")', "02/01/1990", "@SUM(A1)", "10/04/2025", ""],
    ]
    upload = national_xlsx(rows)
    book = load_workbook(upload)
    cells.set_value(book.active["B2"], "=1+1")  # typed as text in the national list's file
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "=2+2.xlsx"
    client.force_login(cast.commune_board)
    shown = client.post(reverse("reports:reconcile", args=[cast.commune_x.pk]), {"file": upload})
    token = shown.context["token"]
    response = client.post(reverse("reports:reconcile_xlsx", args=[cast.commune_x.pk]), {"token": token})
    assert_written_as_text(body(response), [*NAMES, '=HYPERLINK("http://z","z")', "=2+2.xlsx"])


# --- the workbooks of the import ----------------------------------------------------------------


def test_the_marked_workbook_keeps_typed_text_and_quotes_values_as_text():
    book = Workbook()
    ws = book.active
    ws.title = ORGANISATIONS.title
    ws.append(ORGANISATIONS.headers[:3])
    ws.append(["X1", None, "xa"])
    cells.set_value(ws["B2"], "=1+1")  # text in the uploaded file: stays text once marked
    upload = io.BytesIO()
    book.save(upload)
    issues = [
        Issue(ORGANISATIONS.title, 2, ORGANISATIONS.headers[2], HYPERLINK, "Không có trong danh mục.", "Danh mục"),
        Issue(ORGANISATIONS.title, 2, ORGANISATIONS.headers[1], "@SUM(A1)", "#REF!", ""),
    ]
    marked = marked_workbook(upload.getvalue(), issues)
    assert_written_as_text(marked, [*NAMES])
    result = load_workbook(io.BytesIO(marked))
    assert result.sheetnames[0] == REPORT_TITLE
    assert ERROR_HEADER in [c.value for c in result[ORGANISATIONS.title][1]]


def test_the_import_template_writes_only_text_numbers_and_dates():
    data = template_workbook()
    assert formula_parts(data) == []
    book = load_workbook(io.BytesIO(data))
    kinds = {c.data_type for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    assert kinds <= {"s", "n", "d"}
    # The drop-down lists are validations (our own formulas), not cells.
    assert any(ws.data_validations.dataValidation for ws in book.worksheets)


# --- the cell functions themselves --------------------------------------------------------------


def test_set_value_keeps_numbers_and_dates_typed_and_replaces_what_xml_cannot_hold():
    book = Workbook()
    ws = book.active
    assert cells.put(ws, 1, 1, "=1+1").data_type == "s"
    assert cells.put(ws, 2, 1, 12).data_type == "n"
    day = cells.put(ws, 3, 1, datetime.date(2026, 1, 2))
    assert day.data_type == "d" and day.is_date
    assert cells.put(ws, 4, 1, "a\x07b").value == "a\ufffdb"  # a stored control character: no crash
    assert cells.put(ws, 5, 1, "+1-2").data_type == "s"
    plain = ws.cell(row=6, column=1, value="=1+1")
    assert plain.data_type == "f"  # what openpyxl does unasked, and why every writer goes through `cells`

    write_only = Workbook(write_only=True)
    sheet = write_only.create_sheet("x")
    sheet.append(cells.row(sheet, ["=1+1", 3, None, xlsx.DATE_FORMAT]))
    out = io.BytesIO()
    write_only.save(out)
    assert formula_parts(out.getvalue()) == []
    assert [c.data_type for c in load_workbook(out).active[1]] == ["s", "n", "n", "s"]
