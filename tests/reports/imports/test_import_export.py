"""The export in the import workbook format: what each sheet holds for a small tree built through the
services, the movements told the way the importer replays them, a fixed number of queries whatever
the subtree's size, and the download and the command."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from members import services as member_services
from members.models import MemberMovement
from members.vocabulary import Level, MovementKind, Occupation
from recruitment import services as steps
from reports.imports.columns import CANDIDATES, MEMBERS, MOVEMENTS, ORGANISATIONS, QUOTAS, SHEETS
from reports.imports.export import export_workbook
from reports.progress import periods
from tests.factories import MemberFactory, OrganisationFactory, PersonFactory
from tests.reports.builders import quota
from tests.reports.pipeline_builders import trained_people

pytestmark = pytest.mark.django_db

D = datetime.date


def read(data: bytes) -> dict[str, list[dict]]:
    """Each sheet's data rows as {column key: value}, after checking the header row is the format's."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == [spec.title for spec in SHEETS]
    sheets = {}
    for spec in SHEETS:
        rows = list(book[spec.title].iter_rows(values_only=True))
        assert list(rows[0]) == spec.headers
        sheets[spec.key] = [
            {c.key: v.date() if isinstance(v, datetime.datetime) else v for c, v in zip(spec.columns, row, strict=True)}
            for row in rows[1:]
        ]
    return sheets


def export(organisation) -> tuple[dict[str, list[dict]], dict[str, int], bytes]:
    stream = io.BytesIO()
    counts = export_workbook(organisation, stream)
    return read(stream.getvalue()), counts, stream.getvalue()


def by(rows: list[dict], key: str) -> dict:
    return {row[key]: row for row in rows}


def admitted_through_the_pipeline(cell, introducer, citizen_id: str, *, organiser):
    """A youth-union candidate walked from the proposal to the ceremony, every date inside the rules."""
    candidate = steps.candidate_propose(
        cell=cell,
        introduced_by="youth_union",
        proposed_on=D(2024, 1, 10),
        by=None,
        helper=introducer,
        person_fields={
            "full_name": f"Quần chúng {citizen_id[-2:]}",
            "gender": "female",
            "date_of_birth": D(2002, 4, 10),
            "general_education": "upper_secondary",
            "is_youth_union_member": True,
            "citizen_id": citizen_id,
        },
    )
    party_class = steps.class_create(
        organiser=organiser, name=f"Lớp {citizen_id}", starts_on=D(2024, 3, 4), ends_on=D(2024, 3, 8), by=None
    )
    steps.candidate_enroll_in_class(candidate=candidate, party_class=party_class, by=None)
    steps.class_record_results(
        party_class=party_class,
        results=[steps.ClassResult(candidate.pk, True, "12/CN-NTVĐ", D(2024, 3, 8))],
        by=None,
    )
    steps.candidate_submit_dossier(
        candidate=candidate,
        application_date=D(2024, 4, 1),
        personal_history_date=D(2024, 4, 3),
        route="youth_union",
        body_introduction_date=D(2024, 4, 10),
        introducers=[steps.IntroducerInput(introducer, D(2022, 1, 1), D(2024, 4, 10))],
        submitted_on=D(2024, 4, 15),
        by=None,
    )
    # Every full member on the cell's roll that day votes for (rule 6: the roll decides the base).
    on_roll = len(steps.vote_roll(cell, D(2024, 5, 6)))
    steps.candidate_record_cell_vote(candidate=candidate, held_on=D(2024, 5, 6), votes_for=on_roll, by=None)
    steps.candidate_record_decision(
        candidate=candidate, number="45-QĐ/ĐU", decided_on=D(2024, 5, 20), received_on=D(2024, 5, 22), by=None
    )
    member = steps.candidate_record_ceremony(candidate=candidate, held_on=D(2024, 6, 1), by=None)
    candidate.refresh_from_db()
    return candidate, member


@pytest.fixture
def tree(cast):
    """The cast's province with one of everything the sheets have to tell.

    - cell D (under X) merged into cell A on 1/7/2025, its member moving with it;
    - member B transferred to cell A, then helped a new candidate there, then died;
    - someone who came from outside the province into cell B, then left it;
    - two people admitted through the pipeline in cell A: one struck off, one later moved to cell B;
    - a candidate of cell A still at the source; quotas of every kind of period.
    """
    x = cast.commune_x
    cell_d = OrganisationFactory(code="D", name="Chi bộ thôn Đồi", level=Level.CELL, parent=x, founded_on=D(2010, 1, 1))
    MemberFactory(
        cell=cell_d,
        person=PersonFactory(full_name="Đảng viên D", citizen_id="001080000004", occupation=Occupation.FARMER),
        card_number="0444",
        is_readmitted=True,
    )
    member_services.organisation_merge(organisation=cell_d, into=cast.cell_a, on=D(2025, 7, 1))
    member_b = member_services.member_transfer(
        member=cast.member_b, to_cell=cast.cell_a, on=D(2024, 2, 1), note="Theo gia đình"
    )
    newcomer = MemberFactory(cell=cast.cell_b, person=PersonFactory(full_name="Người đến", citizen_id=None))
    newcomer.movements.all().delete()
    MemberMovement.objects.create(
        member=newcomer, kind=MovementKind.TRANSFERRED_IN, date=D(2023, 5, 1), organisation=cast.cell_b
    )
    newcomer.card_number = "0999"
    newcomer.save()
    member_services.member_record_exit(member=newcomer, kind=MovementKind.TRANSFERRED_OUT, on=D(2025, 1, 10))

    struck, _member = admitted_through_the_pipeline(cast.cell_a, cast.member_a, "001202000011", organiser=x)
    steps.member_strike_off(candidate=struck, on=D(2024, 9, 2), reason="Bỏ sinh hoạt", by=None)
    moved, moved_member = admitted_through_the_pipeline(cast.cell_a, cast.member_a, "001202000012", organiser=x)
    member_services.member_transfer(member=moved_member, to_cell=cast.cell_b, on=D(2024, 10, 1))
    # Helped by member B, who had moved to cell A by then and died since.
    steps.candidate_propose(
        cell=cast.cell_a,
        introduced_by="cell",
        proposed_on=D(2025, 2, 1),
        by=None,
        helper=member_b,
        person_fields={"full_name": "Mới đề nghị", "gender": "male", "date_of_birth": D(2001, 1, 1)},
    )
    member_services.member_record_exit(member=member_b, kind=MovementKind.DIED, on=D(2025, 3, 3))

    quota(x, periods.term(2025), 12, source="resolution")
    quota(cast.cell_a, periods.year(2026), 2, source="assigned", carry_over=True, note="Giao đầu năm")
    quota(
        x,
        periods.Period("custom", D(2026, 1, 1), D(2026, 6, 30)),
        None,
        source="plan",
        metric="share",
        share_attribute="women",
        value_kind="rate",
        rate_percent="32.50",
    )
    return cast


def test_every_sheet_holds_the_subtree_in_the_import_format(tree):
    sheets, counts, _data = export(tree.province)

    assert counts == {spec.title: len(sheets[spec.key]) for spec in SHEETS}
    units = sheets[ORGANISATIONS.key]
    # Parents before children, in path order.
    assert [u["code"] for u in units] == ["P", "X", "A", "B", "D", "Y", "C"]
    assert by(units, "code")["P"] == {
        "code": "P",
        "name": "Đảng bộ tỉnh Thử",
        "level": "Đảng bộ tỉnh/thành phố",
        "sector": None,
        "parent_code": None,
        "founded_on": None,
        "dissolved_on": None,
        "merged_into_code": None,
    }
    assert by(units, "code")["D"] == {
        "code": "D",
        "name": "Chi bộ thôn Đồi",
        "level": "Chi bộ trực thuộc",
        "sector": None,
        "parent_code": "X",
        "founded_on": D(2010, 1, 1),
        "dissolved_on": D(2025, 7, 1),
        "merged_into_code": "A",
    }
    assert by(units, "code")["A"]["sector"] == "Nông thôn, khu dân cư"

    # Only members who did not come through the pipeline; the cell they are in, and where they entered.
    members = by(sheets[MEMBERS.key], "full_name")
    assert set(members) == {"Đảng viên A", "Đảng viên B", "Đảng viên C", "Đảng viên D", "Người đến"}
    assert members["Đảng viên D"] == {
        "citizen_id": "001080000004",
        "full_name": "Đảng viên D",
        "gender": "Nam",
        "date_of_birth": D(1990, 5, 17),
        "ethnicity": "Kinh",
        "religion": None,
        "general_education": None,
        "professional_training": None,
        "occupation": "Nông dân",
        "phone": None,
        "is_youth_union_member": "Không",
        "is_business_owner": "Không",
        "cell_code": "A",
        "entry_cell_code": "D",
        "admission_decision_date": D(2015, 3, 2),
        "ceremony_date": D(2015, 3, 20),
        "recognition_date": D(2016, 3, 20),
        "card_number": "0444",
        "is_readmitted": "Có",
        "introduced_by": None,
    }
    assert members["Đảng viên A"]["entry_cell_code"] is None
    assert members["Đảng viên A"]["religion"] == "Phật giáo"
    assert (members["Đảng viên B"]["cell_code"], members["Đảng viên B"]["entry_cell_code"]) == ("A", "B")
    assert (members["Người đến"]["cell_code"], members["Người đến"]["entry_cell_code"]) == ("B", None)

    candidates = by(sheets[CANDIDATES.key], "full_name")
    assert set(candidates) == {"Quần chúng 11", "Quần chúng 12", "Mới đề nghị"}
    moved = candidates["Quần chúng 12"]
    assert {k: v for k, v in moved.items() if v is not None} == {
        "citizen_id": "001202000012",
        "full_name": "Quần chúng 12",
        "gender": "Nữ",
        "date_of_birth": D(2002, 4, 10),
        "ethnicity": "Kinh",
        "general_education": "Trung học phổ thông",
        "is_youth_union_member": "Có",
        "is_business_owner": "Không",
        # The cell that proposed and admitted them, not the one they moved to (the movements say so).
        "cell_code": "A",
        "stage": "Đảng viên dự bị",
        "introduced_by": "Đoàn TNCS Hồ Chí Minh",
        "proposed_on": D(2024, 1, 10),
        "helper": tree.member_a.person.citizen_id,
        "class_name": "Lớp 001202000012",
        "class_organiser_code": "X",
        "class_starts_on": D(2024, 3, 4),
        "class_ends_on": D(2024, 3, 8),
        "class_result": "Đạt",
        "certificate_number": "12/CN-NTVĐ",
        "certificate_issued_on": D(2024, 3, 8),
        "application_date": D(2024, 4, 1),
        "personal_history_date": D(2024, 4, 3),
        "route": "Đoàn TNCS Hồ Chí Minh và một đảng viên chính thức",
        "body_introduction_date": D(2024, 4, 10),
        "youth_union_exists": "Có",
        "submitted_on": D(2024, 4, 15),
        "introducer1": tree.member_a.person.citizen_id,
        "introducer1_known_since": D(2022, 1, 1),
        "introducer1_on": D(2024, 4, 10),
        "introducer1_replacement": "Không",
        "vote_held_on": D(2024, 5, 6),
        "votes_for": 2,
        "full_members": 2,
        "absent_exempt": 0,
        "decision_number": "45-QĐ/ĐU",
        "decided_on": D(2024, 5, 20),
        "decision_received_on": D(2024, 5, 22),
        "decision_extended": "Không",
        "ceremony_on": D(2024, 6, 1),
    }
    struck = candidates["Quần chúng 11"]
    assert (struck["stage"], struck["ceremony_on"], struck["exit_on"], struck["exit_reason"]) == (
        "Xóa tên",
        D(2024, 6, 1),
        D(2024, 9, 2),
        "Bỏ sinh hoạt",
    )
    fresh = candidates["Mới đề nghị"]
    assert (
        fresh["stage"],
        fresh["introduced_by"],
        fresh["helper"],
        fresh["class_name"],
        fresh["application_date"],
    ) == (
        "Quần chúng ưu tú",
        "Chi bộ",
        tree.member_b.person.citizen_id,
        None,
        None,
    )

    # After each member's entry, in date order: the merge and the transfers as one row each; the
    # pipeline member's striking off is left to the candidate's row.
    movements = [(m["full_name"], m["kind"], m["date"], m["to_cell_code"]) for m in sheets[MOVEMENTS.key]]
    assert movements == [
        ("Người đến", "Chuyển đến từ nơi khác", D(2023, 5, 1), "B"),
        ("Đảng viên B", "Chuyển sinh hoạt trong tỉnh", D(2024, 2, 1), "A"),
        ("Quần chúng 12", "Chuyển sinh hoạt trong tỉnh", D(2024, 10, 1), "B"),
        ("Người đến", "Chuyển đi nơi khác", D(2025, 1, 10), None),
        ("Đảng viên B", "Từ trần", D(2025, 3, 3), None),
        ("Đảng viên D", "Chuyển sinh hoạt trong tỉnh", D(2025, 7, 1), "A"),
    ]
    rows = by(sheets[MOVEMENTS.key], "full_name")
    assert rows["Người đến"]["citizen_id"] is None and rows["Người đến"]["card_number"] == "0999"
    assert sheets[MOVEMENTS.key][1]["note"] == "Theo gia đình"
    assert rows["Đảng viên D"]["note"] == "Sáp nhập “Chi bộ thôn Đồi” vào “Chi bộ thôn A”"

    assert sheets[QUOTAS.key] == [
        {
            "organisation_code": "X",
            "period": "2025-2030",
            "source": "Nghị quyết Đại hội",
            "metric": "Kết nạp đảng viên",
            "share_attribute": None,
            "value_kind": "Số cụ thể",
            "value": 12,
            "upper": None,
            "rate_percent": None,
            "base_members": None,
            "carry_over": "Không",
            "note": None,
        },
        {
            "organisation_code": "X",
            "period": "01/01/2026..30/06/2026",
            "source": "Kế hoạch năm",
            "metric": "Tỷ lệ đảng viên mới có đặc điểm",
            "share_attribute": "nữ",
            "value_kind": "Tỷ lệ so với đảng viên đầu nhiệm kỳ",
            "value": None,
            "upper": None,
            "rate_percent": 32.5,
            "base_members": None,
            "carry_over": "Không",
            "note": None,
        },
        {
            "organisation_code": "A",
            "period": "2026",
            "source": "Cấp trên giao",
            "metric": "Kết nạp đảng viên",
            "share_attribute": None,
            "value_kind": "Số cụ thể",
            "value": 2,
            "upper": None,
            "rate_percent": None,
            "base_members": None,
            "carry_over": "Có",
            "note": "Giao đầu năm",
        },
    ]


def test_dates_are_real_dates_shown_day_first(tree):
    _sheets, _counts, data = export(tree.province)
    sheet = openpyxl.load_workbook(io.BytesIO(data))[MEMBERS.title]
    column = MEMBERS.headers.index("Ngày sinh") + 1
    cell = sheet.cell(row=2, column=column)
    assert isinstance(cell.value, datetime.datetime)
    assert cell.number_format == "DD/MM/YYYY"


def test_a_commune_is_exported_without_the_rest_of_the_province(tree):
    sheets, _counts, _data = export(tree.commune_x)
    units = sheets[ORGANISATIONS.key]
    assert [u["code"] for u in units] == ["X", "A", "B", "D"]
    # The root names its own parent, so the file imports under it in the province.
    assert units[0]["parent_code"] == "P"
    assert "Đảng viên C" not in {m["full_name"] for m in sheets[MEMBERS.key]}
    assert {q["organisation_code"] for q in sheets[QUOTAS.key]} == {"X", "A"}
    cell_c = tree.cell_c
    assert cell_c.code not in {m["cell_code"] for m in sheets[MEMBERS.key]}


def test_an_out_and_an_in_on_the_same_day_are_one_transfer_only_for_the_same_member(cast):
    """One member leaves the province the day another arrives from outside: two rows, not a transfer."""
    leaving = cast.member_a
    member_services.member_record_exit(member=leaving, kind=MovementKind.TRANSFERRED_OUT, on=D(2025, 5, 5))
    arriving = MemberFactory(cell=cast.cell_b, person=PersonFactory(full_name="Đến sau"))
    arriving.movements.all().delete()
    MemberMovement.objects.create(
        member=arriving, kind=MovementKind.TRANSFERRED_IN, date=D(2025, 5, 5), organisation=cast.cell_b
    )
    sheets, _counts, _data = export(cast.province)
    rows = [(m["full_name"], m["kind"], m["to_cell_code"]) for m in sheets[MOVEMENTS.key]]
    assert sorted(rows) == [
        ("Đảng viên A", "Chuyển đi nơi khác", None),
        ("Đến sau", "Chuyển đến từ nơi khác", "B"),
    ]


def _grow(cast, n: int) -> None:
    """`n` members moving between cells and `n` trained candidates, so every sheet has rows to read."""
    for i in range(n):
        member = MemberFactory(cell=cast.cell_a, person=PersonFactory(citizen_id=f"0019{i:08d}"))
        member_services.member_transfer(member=member, to_cell=cast.cell_b, on=D(2024, 1, 1 + i % 28))
    trained_people(cast.cell_b, n, D(2025, 3, 1))
    quota(cast.cell_a, periods.year(2025), n)


@pytest.mark.parametrize("n", [2, 40])
def test_the_export_reads_a_fixed_number_of_queries_whatever_the_size(cast, n, django_assert_max_num_queries):
    _grow(cast, n)
    admitted_through_the_pipeline(cast.cell_a, cast.member_a, "001202000013", organiser=cast.commune_x)
    # One query per sheet, and one per kind of step record of the candidates (per chunk of 2,000).
    # One more than before the vote's absent members were named (read with their people at once).
    with django_assert_max_num_queries(10):
        counts = export_workbook(cast.province, io.BytesIO())
    assert counts["Đảng viên"] == 3 + n
    assert counts["Quần chúng"] == 1 + n
    assert counts["Biến động"] == n


def test_board_staff_download_their_subtree(client, tree):
    client.force_login(tree.commune_board)
    response = client.get(reverse("reports:export_import_format", args=[tree.commune_x.pk]))
    assert response.status_code == 200
    assert 'filename="du-lieu-x-' in response["Content-Disposition"]
    sheets = read(b"".join(response.streaming_content))
    assert [u["code"] for u in sheets[ORGANISATIONS.key]] == ["X", "A", "B", "D"]


def test_a_committee_secretary_may_not_download_it(client, tree):
    client.force_login(tree.commune_sec)
    response = client.get(reverse("reports:export_import_format", args=[tree.commune_x.pk]))
    assert response.status_code == 403


def test_the_command_writes_the_file_and_names_an_unknown_code(cast, tmp_path):
    target = tmp_path / "x.xlsx"
    out = io.StringIO()
    call_command("export_workbook", "X", str(target), stdout=out)
    assert "Đảng viên: 2 dòng" in out.getvalue()
    assert [u["code"] for u in read(target.read_bytes())[ORGANISATIONS.key]] == ["X", "A", "B"]
    with pytest.raises(CommandError, match="Không có tổ chức mã “KHONG”"):
        call_command("export_workbook", "KHONG", str(tmp_path / "y.xlsx"))
