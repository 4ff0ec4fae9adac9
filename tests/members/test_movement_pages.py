"""The pages of member movements and unit changes: who may use them, the summary before a change,
the parent's progress figures unchanged by a merge or a split, and a fixed query budget."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from members.models import Member, MemberTransfer, Organisation
from members.vocabulary import Level, MemberStatus, MovementKind, TransferStatus
from reports.progress import periods
from reports.progress.report import progress_report
from tests.factories import MemberFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)
TODAY = datetime.date(2026, 12, 6)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime.datetime(2026, 12, 6, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


def _url(name, obj):
    return reverse(f"members:{name}", args=[obj.pk])


# --- scope and permission ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, target",
    [
        ("member_transfer", "member_c"),
        ("member_exit", "member_c"),
        ("member_readmit", "member_c"),
        ("transfers", "cell_c"),
        ("transfer_in", "cell_c"),
        ("unit_create", "commune_y"),
        ("unit_rename", "cell_c"),
        ("unit_dissolve", "cell_c"),
        ("unit_merge", "commune_y"),
        ("unit_split", "cell_c"),
    ],
)
def test_every_page_answers_404_outside_the_subtree(client, cast, name, target):
    for user in (cast.sec_a, cast.commune_board):
        client.force_login(user)
        assert client.get(_url(name, getattr(cast, target))).status_code == 404
        assert client.post(_url(name, getattr(cast, target)), {}).status_code == 404


@pytest.mark.parametrize(
    "name, target", [("unit_rename", "cell_a"), ("unit_split", "cell_a"), ("unit_merge", "commune_x")]
)
def test_the_tree_changes_are_for_the_board_above_the_unit(client, cast, name, target):
    client.force_login(cast.sec_a)  # commune X lies above the cell secretary's subtree: not found for them
    assert client.get(_url(name, getattr(cast, target))).status_code == (404 if target == "commune_x" else 403)
    client.force_login(cast.commune_sec)
    assert client.get(_url(name, getattr(cast, target))).status_code == 403
    client.force_login(cast.commune_board)
    assert client.get(_url(name, getattr(cast, target))).status_code == 200


def test_the_board_does_not_rename_its_own_unit(client, cast):
    client.force_login(cast.commune_board)
    assert client.get(_url("unit_rename", cast.commune_x)).status_code == 403
    client.force_login(cast.province_board)
    assert client.get(_url("unit_rename", cast.commune_x)).status_code == 200


# --- transfers ---------------------------------------------------------------------------------------


def test_a_transfer_is_requested_by_the_sending_cell_and_confirmed_by_the_receiving_one(client, cast):
    # The commune's secretary, over both cells, records it (a cell secretary sees only their cell).
    client.force_login(cast.commune_sec)
    response = client.post(
        _url("member_transfer", cast.member_a),
        {"where": "within", "to_cell_code": "B", "on": DAY.isoformat(), "note": "Về quê"},
    )
    assert response.status_code == 302
    transfer = MemberTransfer.objects.get(member=cast.member_a)
    assert transfer.status == TransferStatus.PENDING and transfer.to_cell_id == cast.cell_b.pk
    assert Member.objects.get(pk=cast.member_a.pk).cell_id == cast.cell_a.pk

    # The sending secretary sees no confirm button and cannot confirm by hand (nor outside their cells).
    client.force_login(cast.sec_a)
    page = client.get(_url("transfers", cast.cell_a)).content.decode()
    assert "Đảng viên A" in page and 'value="confirm"' not in page and "chi bộ khác trong tỉnh" in page
    assert (
        client.post(_url("transfers", cast.cell_a), {"transfer": transfer.pk, "action": "confirm"}).status_code == 403
    )
    assert (
        client.post(_url("transfers", cast.cell_b), {"transfer": transfer.pk, "action": "confirm"}).status_code == 404
    )

    client.force_login(cast.sec_b)
    page = client.get(_url("transfers", cast.cell_b)).content.decode()
    assert 'value="confirm"' in page
    response = client.post(_url("transfers", cast.cell_b), {"transfer": transfer.pk, "action": "confirm"})
    assert response.status_code == 302
    assert Member.objects.get(pk=cast.member_a.pk).cell_id == cast.cell_b.pk
    assert MemberTransfer.objects.get(pk=transfer.pk).decided_by == cast.sec_b


def test_the_transfer_form_names_no_cell_outside_the_users_subtree(client, cast):
    client.force_login(cast.sec_a)
    page = client.get(_url("member_transfer", cast.member_a)).content.decode()
    assert cast.cell_c.name not in page and cast.cell_b.name not in page

    # A code outside the user's subtree is answered word for word as one that exists nowhere: the
    # sibling cell's (B), another commune's (C), none at all.
    def answer(code: str) -> str:
        response = client.post(
            _url("member_transfer", cast.member_a), {"where": "within", "to_cell_code": code, "on": DAY.isoformat()}
        )
        assert response.status_code == 200
        # Leave out what differs anyway: the code typed, echoed in its box, and the CSRF tokens.
        return re.sub(r'value="[A-Z]*"|[A-Za-z0-9]{64}', "", response.content.decode())

    assert answer("B") == answer("C") == answer("NOPE")
    assert "Không có chi bộ đang hoạt động mang mã này trong phạm vi bạn quản lý" in answer("NOPE")
    assert not MemberTransfer.objects.exists()


def test_a_member_from_another_province_is_recorded_then_confirmed(client, cast):
    client.force_login(cast.sec_b)
    response = client.post(
        _url("transfer_in", cast.cell_b),
        {
            "full_name": "Lê Thị Đến",
            "gender": "female",
            "date_of_birth": "1990-04-05",
            "origin": "Đảng bộ tỉnh Ninh Bình",
            "member_status": MemberStatus.FULL,
            "admission_decision_date": "2015-02-03",
            "on": DAY.isoformat(),
        },
    )
    assert response.status_code == 302
    transfer = MemberTransfer.objects.get(origin="Đảng bộ tỉnh Ninh Bình")
    client.post(_url("transfers", cast.cell_b), {"transfer": transfer.pk, "action": "confirm"})
    assert Member.objects.get(person__full_name="Lê Thị Đến").cell_id == cast.cell_b.pk


# --- exits and re-admission --------------------------------------------------------------------


def test_an_exit_is_shown_for_confirmation_before_it_is_recorded(client, cast):
    client.force_login(cast.sec_a)
    data = {"kind": MovementKind.DIED, "on": DAY.isoformat(), "note": "Từ trần"}
    response = client.post(_url("member_exit", cast.member_a), data)
    assert response.status_code == 200 and "data-preview" in response.content.decode()
    assert Member.objects.get(pk=cast.member_a.pk).status == MemberStatus.FULL
    response = client.post(_url("member_exit", cast.member_a), {**data, "xac_nhan": "1"})
    assert response.status_code == 302
    assert Member.objects.get(pk=cast.member_a.pk).status == MemberStatus.LEFT
    assert client.get(_url("member_exit", cast.member_a)).url == cast.member_a.get_absolute_url()


def test_re_admission_too_soon_is_refused_on_the_page_with_the_rule(client, cast):
    client.force_login(cast.sec_a)
    client.post(
        _url("member_exit", cast.member_a),
        {"kind": MovementKind.STRUCK_OFF, "on": "2024-05-01", "xac_nhan": "1"},
    )
    data = {"to_cell": cast.cell_a.pk, "on": DAY.isoformat(), "provincial_consent": "on", "consent_reference": "CV 9"}
    response = client.post(_url("member_readmit", cast.member_a), data)
    assert response.status_code == 200 and "01/05/2027" in response.content.decode()
    assert Member.objects.get(pk=cast.member_a.pk).status == MemberStatus.LEFT


# --- merge and split ----------------------------------------------------------------------------


def _parent_figures(organisation):
    report = progress_report(organisation, periods.year(2026), TODAY).as_json()
    members = report["members"]
    return (
        report["quotas"],
        report["admissions"],
        report["pipeline"],
        report["breakdown"],
        (members["start"], members["end"], members["change"]),
    )


def _admitted_this_year(cast):
    for cell, day in ((cast.cell_a, datetime.date(2026, 2, 3)), (cast.cell_b, datetime.date(2026, 4, 5))):
        MemberFactory(cell=cell, status=MemberStatus.PROBATIONARY, admission_decision_date=day, ceremony_date=day)


def test_a_merge_shows_who_moves_then_keeps_the_parents_figures(client, cast):
    _admitted_this_year(cast)
    before = _parent_figures(cast.commune_x)
    client.force_login(cast.commune_board)
    data = {
        "sources": [cast.cell_a.pk, cast.cell_b.pk],
        "target": "existing",
        "into": cast.cell_a.pk,
        "on": "2026-06-01",
    }
    response = client.post(_url("unit_merge", cast.commune_x), data)
    page = response.content.decode()
    assert "data-preview" in page and "Đảng viên B" in page and "Đảng viên A" not in page
    assert Organisation.objects.get(pk=cast.cell_b.pk).dissolved_on is None
    response = client.post(_url("unit_merge", cast.commune_x), {**data, "xac_nhan": "1"})
    assert response.status_code == 302
    assert Organisation.objects.get(pk=cast.cell_b.pk).merged_into_id == cast.cell_a.pk
    assert _parent_figures(cast.commune_x) == before


def test_a_split_shows_where_each_member_goes_then_keeps_the_parents_figures(client, cast):
    _admitted_this_year(cast)
    before = _parent_figures(cast.commune_x)
    members = list(Member.objects.filter(cell=cast.cell_a).order_by("pk"))
    client.force_login(cast.commune_board)
    data = {
        "on": "2026-06-01",
        "part_1_code": "A1",
        "part_1_name": "Chi bộ A1",
        "part_2_code": "A2",
        "part_2_name": "Chi bộ A2",
        f"member_{members[0].pk}": "1",
    }
    response = client.post(_url("unit_split", cast.cell_a), data)
    assert "Còn 1 đảng viên chưa được chọn" in response.content.decode()
    data[f"member_{members[1].pk}"] = "2"
    response = client.post(_url("unit_split", cast.cell_a), data)
    page = response.content.decode()
    assert "data-preview" in page and "Chi bộ A1" in page and "Chi bộ A2" in page
    assert not Organisation.objects.filter(code="A1").exists()
    response = client.post(_url("unit_split", cast.cell_a), {**data, "xac_nhan": "1"})
    assert response.status_code == 302
    assert Member.objects.get(pk=members[1].pk).cell.code == "A2"
    assert _parent_figures(cast.commune_x) == before


def test_the_board_creates_renames_and_dissolves_a_unit(client, cast):
    client.force_login(cast.commune_board)
    response = client.post(
        _url("unit_create", cast.commune_x),
        {"code": "N1", "name": "Chi bộ mới", "level": Level.CELL, "sector": "", "founded_on": DAY.isoformat()},
    )
    assert response.status_code == 302
    cell = Organisation.objects.get(code="N1")
    client.post(_url("unit_rename", cell), {"name": "Chi bộ đổi tên"})
    assert Organisation.objects.get(pk=cell.pk).name == "Chi bộ đổi tên"
    client.post(_url("unit_dissolve", cell), {"on": "2026-07-01"})
    assert Organisation.objects.get(pk=cell.pk).dissolved_on is None  # the first submit only shows the summary
    client.post(_url("unit_dissolve", cell), {"on": "2026-07-01", "xac_nhan": "1"})
    assert Organisation.objects.get(pk=cell.pk).dissolved_on == datetime.date(2026, 7, 1)


# --- query budgets ------------------------------------------------------------------------------

SIZES = [3, 30]
BUDGETS = {"merge": 8, "split": 7, "transfers": 9, "member_transfer": 8}


def _grow(cast, size):
    cells = [OrganisationFactory(level=Level.CELL, parent=cast.commune_x) for _ in range(size)]
    for cell in cells:
        MemberFactory(cell=cell)
    for _ in range(size):
        member = MemberFactory(cell=cast.cell_a)
        MemberTransfer.objects.create(
            person=member.person, member=member, from_cell=cast.cell_a, to_cell=cast.cell_b, date=DAY
        )
    return cells


@pytest.mark.parametrize("size", SIZES)
def test_the_new_pages_have_a_fixed_query_budget(client, cast, size, django_assert_max_num_queries):
    cells = _grow(cast, size)
    client.force_login(cast.commune_board)
    with django_assert_max_num_queries(BUDGETS["merge"]):
        response = client.get(_url("unit_merge", cast.commune_x))
    assert response.content.decode().count('name="sources"') == size + 2
    with django_assert_max_num_queries(BUDGETS["merge"]):
        client.post(
            _url("unit_merge", cast.commune_x),
            {"sources": [c.pk for c in cells], "target": "existing", "into": cast.cell_b.pk, "on": "2026-06-01"},
        )
    with django_assert_max_num_queries(BUDGETS["split"]):
        response = client.get(_url("unit_split", cast.cell_a))
    assert len(response.context["form"].members) == size + 1
    with django_assert_max_num_queries(BUDGETS["transfers"]):
        response = client.get(_url("transfers", cast.commune_x))
    assert len(response.context["rows"]) == size
    with django_assert_max_num_queries(BUDGETS["member_transfer"]):
        client.get(_url("member_transfer", cast.member_a))
