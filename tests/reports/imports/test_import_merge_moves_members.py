"""A workbook's merge moves the members it lists into the successor on the merge date, as
members.services.organisation_merge does, without a transfer row per member (docs/import-format.md)."""

import datetime

import pytest
import time_machine

from members.models import Member, MemberMovement, Organisation
from members.selectors import member_count_on
from reports.imports.columns import MEMBERS, MOVEMENTS, ORGANISATIONS
from reports.imports.service import import_workbook
from tests.reports.workbooks import workbook_bytes

from .test_import_engine import domain_counts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.date(2026, 12, 5), tick=False):
        yield


MERGE_DAY = datetime.date(2025, 7, 1)


def cell(code, name, **more) -> dict:
    return {"code": code, "name": name, "level": "Chi bộ trực thuộc", "parent_code": "X", **more}


def organisations() -> list[dict]:
    return [
        cell("X-N", "Chi bộ thôn Nam", dissolved_on="01/07/2025", merged_into_code="X-M"),
        cell("X-B", "Chi bộ thôn Bắc", dissolved_on="01/07/2025", merged_into_code="X-M"),
        cell("X-M", "Chi bộ thôn Nam Bắc", founded_on="01/07/2025"),
    ]


def member(n: int, cell_code: str, **more) -> dict:
    return {
        "citizen_id": f"0010900{n:05d}",
        "full_name": f"Trần Văn Hợp {n}",
        "gender": "Nam",
        "date_of_birth": "15/03/1980",
        "cell_code": cell_code,
        "admission_decision_date": datetime.date(2012, 5, 12),
        "recognition_date": "12/05/2013",
        **more,
    }


def members() -> list[dict]:
    # Two name the cell they were admitted in; two name the successor and their first cell.
    return [
        member(1, "X-N"),
        member(2, "X-B"),
        member(3, "X-M", entry_cell_code="X-N"),
        member(4, "X-M", entry_cell_code="X-B"),
    ]


def test_a_merge_without_transfer_rows_moves_the_members_into_the_successor_on_the_merge_date(cast):
    result = import_workbook(workbook_bytes({ORGANISATIONS: organisations(), MEMBERS: members()}), user=None)
    assert result.ok, result.issues
    successor = Organisation.objects.get(code="X-M")
    moved = Member.objects.filter(person__citizen_id__startswith="0010900")
    assert set(moved.values_list("cell__code", flat=True)) == {"X-M"}
    hop1 = moved.get(person__citizen_id="001090000001")
    rows = list(hop1.movements.order_by("date", "pk").values_list("kind", "date", "organisation__code", "note"))
    note = "Sáp nhập “Chi bộ thôn Nam” vào “Chi bộ thôn Nam Bắc”"
    assert rows == [
        ("admitted", datetime.date(2012, 5, 12), "X-N", ""),
        ("transferred_out", MERGE_DAY, "X-N", note),
        ("transferred_in", MERGE_DAY, "X-M", note),
    ]
    # The counts of every unit follow from the movements: the merged cells are empty from the merge date.
    assert member_count_on(organisation=successor, day=MERGE_DAY - datetime.timedelta(days=1)) == 0
    assert member_count_on(organisation=successor, day=MERGE_DAY) == 4
    north = Organisation.objects.get(code="X-B")
    assert member_count_on(organisation=north, day=MERGE_DAY - datetime.timedelta(days=1)) == 2
    assert member_count_on(organisation=north, day=MERGE_DAY) == 0

    # A second import of the same workbook changes nothing: nobody is moved twice.
    before = domain_counts()
    again = import_workbook(workbook_bytes({ORGANISATIONS: organisations(), MEMBERS: members()}), user=None)
    assert again.ok, again.issues
    assert domain_counts() == before


def test_explicit_transfer_rows_on_the_merge_date_are_applied_and_nobody_moves_twice(cast):
    transfer = {
        "citizen_id": "001090000001",
        "full_name": "Trần Văn Hợp 1",
        "kind": "Chuyển sinh hoạt trong tỉnh",
        "date": "01/07/2025",
        "to_cell_code": "X-M",
    }
    data = workbook_bytes({ORGANISATIONS: organisations(), MEMBERS: members(), MOVEMENTS: [transfer]})
    result = import_workbook(data, user=None)
    assert result.ok, result.issues
    hop1 = Member.objects.get(person__citizen_id="001090000001")
    assert hop1.cell.code == "X-M"
    kinds = list(hop1.movements.order_by("date", "pk").values_list("kind", "organisation__code"))
    assert kinds == [("admitted", "X-N"), ("transferred_out", "X-N"), ("transferred_in", "X-M")]
    assert MemberMovement.objects.filter(organisation__code="X-M", kind="transferred_in").count() == 4


def test_a_member_who_left_the_merged_cell_before_the_merge_stays_where_they_went(cast):
    left = {
        "citizen_id": "001090000002",
        "full_name": "Trần Văn Hợp 2",
        "kind": "Chuyển sinh hoạt trong tỉnh",
        "date": "01/03/2024",
        "to_cell_code": "A",
    }
    rows = [member(1, "X-N"), member(2, "A", entry_cell_code="X-B")]
    result = import_workbook(
        workbook_bytes({ORGANISATIONS: organisations(), MEMBERS: rows, MOVEMENTS: [left]}), user=None
    )
    assert result.ok, result.issues
    assert Member.objects.get(person__citizen_id="001090000002").cell == cast.cell_a
    assert Member.objects.get(person__citizen_id="001090000001").cell.code == "X-M"


def test_a_refused_row_still_leaves_nothing_behind(cast):
    before = domain_counts()
    bad = member(5, "X-N", admission_decision_date=datetime.date(2025, 8, 1), recognition_date=None)
    result = import_workbook(workbook_bytes({ORGANISATIONS: organisations(), MEMBERS: [*members(), bad]}), user=None)
    assert not result.ok
    assert [i.row for i in result.issues] == [6]
    assert "đã giải thể / sáp nhập ngày 01/07/2025" in result.issues[0].message
    assert domain_counts() == before
