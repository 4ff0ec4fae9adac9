"""Shares for every attribute of Biểu 2-BTCTW and every introducing body, from one table
(reports/attributes.py); the breakdown's share of the total; conversion by introducing body."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from members.models import Member, MemberMovement, Person
from members.vocabulary import IntroducingBody, Level, MemberStatus, MovementKind, Occupation, Sector
from recruitment.models import Candidate
from reports.attributes import ATTRIBUTES, BY_KEY
from reports.imports.columns import MEMBERS, QUOTAS
from reports.imports.service import import_workbook
from reports.models import Quota
from reports.progress import periods
from reports.progress.report import progress_report
from reports.quotas.forms import OwnQuotaForm
from reports.vocabulary import RangeState, ShareAttribute, ValueKind
from tests.reports.workbooks import workbook_bytes

from ..builders import cell, org, quota
from ..pipeline_builders import trained_people

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 5)
YEAR = periods.year(2026)
ADMITTED = datetime.date(2026, 3, 2)


def traits(key: str) -> tuple[dict, dict]:
    """(having, not having) the attribute: person, member and cell fields of two new members."""
    group, _sep, value = key.partition(":")
    if group == "occupation":
        other = Occupation.FARMER if value != Occupation.FARMER else Occupation.OTHER
        return {"occupation": value}, {"occupation": other}
    if group == "introduced" or key == "youth_union_introduced":
        body = value or IntroducingBody.YOUTH_UNION
        other = IntroducingBody.CELL if body != IntroducingBody.CELL else IntroducingBody.TRADE_UNION
        return {"introduced_by": body}, {"introduced_by": other}
    return {
        "women": ({"gender": "female"}, {"gender": "male"}),
        "ethnic_minority": ({"ethnicity": "Tày"}, {"ethnicity": "Kinh"}),
        "religious": ({"religion": "Phật giáo"}, {"religion": "Không"}),
        "youth_union": ({"is_youth_union_member": True}, {"is_youth_union_member": False}),
        "business_owner": ({"is_business_owner": True}, {"is_business_owner": False}),
        "readmitted": ({"is_readmitted": True}, {"is_readmitted": False}),
        "students": ({"occupation": Occupation.PUPIL}, {"occupation": Occupation.CIVIL_SERVANT}),
        "residential": ({"sector": Sector.RESIDENTIAL}, {"sector": Sector.AGENCY}),
    }[key]


PERSON_FIELDS = {"gender", "ethnicity", "religion", "is_youth_union_member", "is_business_owner", "occupation"}
MEMBER_FIELDS = {"is_readmitted", "introduced_by"}


def new_member(commune, fields: dict, day=ADMITTED) -> Member:
    """A member admitted on `day` in a cell of `commune` (of `fields["sector"]`, residential by default)."""
    the_cell = cell(commune, sector=fields.get("sector", Sector.RESIDENTIAL))
    person = Person.objects.create(
        full_name="Người thử",
        date_of_birth=datetime.date(1998, 1, 1),
        **{"gender": "male", **{k: v for k, v in fields.items() if k in PERSON_FIELDS}},
    )
    member = Member.objects.create(
        person=person,
        cell=the_cell,
        status=MemberStatus.PROBATIONARY,
        admission_decision_date=day,
        **{k: v for k, v in fields.items() if k in MEMBER_FIELDS},
    )
    MemberMovement.objects.create(member=member, kind=MovementKind.ADMITTED, date=day, organisation=the_cell)
    return member


@pytest.mark.parametrize("attribute", ATTRIBUTES, ids=lambda a: a.key)
def test_every_attribute_can_be_a_share_target_and_is_counted(attribute):
    commune = org(Level.COMMUNE)
    having, not_having = traits(attribute.key)
    new_member(commune, having)
    new_member(commune, not_having)
    quota(
        commune,
        YEAR,
        metric="share",
        share_attribute=attribute.key,
        value_kind=ValueKind.RATE,
        rate_percent=Decimal("50"),
    )
    report = progress_report(commune, YEAR, TODAY)
    (share,) = report.quotas
    assert (share.attribute, share.achieved, share.out_of, share.target) == (attribute.key, 1, 2, 1)
    assert (share.share, share.percent, share.state) == ("50.0", "100.0", RangeState.REACHED)
    assert share.label.endswith(str(attribute.share_label))
    rows = {row.key: row for row in report.breakdown.rows}
    if attribute.in_breakdown:
        assert (rows[attribute.key].this, rows[attribute.key].share_of_total) == (1, "50.0")
        assert rows[attribute.key].label == attribute.label


def test_the_quota_form_and_the_quota_sheet_offer_every_attribute():
    form_choices = {value for value, _label in OwnQuotaForm.base_fields["share_attribute"].choices if value}
    assert form_choices == set(BY_KEY) == set(ShareAttribute.values)
    assert QUOTAS.column("share_attribute").choices is ShareAttribute
    # The old keys keep their meaning; each body's label reads as Vietnamese after "Tỷ lệ … có đặc điểm".
    assert ShareAttribute.YOUTH_UNION_INTRODUCED.label == "do Đoàn giới thiệu"
    assert ShareAttribute("introduced:women_union").label == "do Hội Liên hiệp Phụ nữ giới thiệu"
    assert ShareAttribute("occupation:farmer").label == "nghề nghiệp: Nông dân"


def test_a_share_without_admissions_is_below_and_a_share_under_its_target_too():
    commune = org(Level.COMMUNE)
    quota(commune, YEAR, metric="share", share_attribute="women", value_kind=ValueKind.RATE, rate_percent=Decimal(40))
    (empty,) = progress_report(commune, YEAR, TODAY).quotas
    assert (empty.achieved, empty.out_of, empty.share, empty.state) == (0, 0, None, RangeState.BELOW)
    new_member(commune, {"gender": "female"})
    for _ in range(3):
        new_member(commune, {"gender": "male"})
    (share,) = progress_report(commune, YEAR, TODAY).quotas
    # 40% of 4 admissions is 1.6: two women are needed, one was admitted.
    assert (share.achieved, share.out_of, share.target, share.share) == (1, 4, 2, "25.0")
    assert (share.percent, share.state) == ("50.0", RangeState.BELOW)


def test_the_breakdown_shows_each_rows_share_of_the_total_beside_the_year_ago_comparison():
    commune = org(Level.COMMUNE)
    for gender in ("female", "female", "female", "male"):
        new_member(commune, {"gender": gender})
    new_member(commune, {"gender": "female"}, day=datetime.date(2025, 3, 1))
    new_member(commune, {"gender": "female"}, day=datetime.date(2025, 3, 2))
    rows = {row.key: row for row in progress_report(commune, YEAR, TODAY).breakdown.rows}
    assert (rows["total"].this, rows["total"].share_of_total, rows["total"].last) == (4, "100.0", 2)
    assert (rows["women"].this, rows["women"].share_of_total) == (3, "75.0")
    assert (rows["women"].last, rows["women"].vs_last_pct) == (2, "150.0")
    assert rows["readmitted"].share_of_total == "0.0"
    data = progress_report(commune, YEAR, TODAY).as_json()["breakdown"]["rows"][1]
    assert (data["key"], data["share_of_total"], data["vs_last_pct"]) == ("women", "75.0", "150.0")
    assert "pct" not in data


def test_the_dashboard_labels_the_share_of_the_total_and_the_comparison(cast, client):
    with time_machine.travel(datetime.datetime(2026, 12, 5, 2, 0, tzinfo=datetime.UTC), tick=False):
        for gender in ("female", "male"):
            new_member(cast.commune_x, {"gender": gender, "introduced_by": IntroducingBody.YOUTH_UNION})
        client.force_login(cast.commune_board)
        response = client.get(reverse("reports:dashboard", args=[cast.commune_x.pk]), {"ky": "2026"})
    body = response.content.decode()
    assert "Tỷ lệ trong tổng số (%)" in body and "So với cùng kỳ (%)" in body
    assert "Kết quả giới thiệu theo tổ chức" in body and "Tỷ lệ được kết nạp (%)" in body


def test_an_imported_historical_members_introducing_body_counts_in_the_shares(cast):
    quota(
        cast.commune_x,
        YEAR,
        metric="share",
        share_attribute="introduced:farmers_union",
        value_kind=ValueKind.RATE,
        rate_percent=Decimal("50"),
    )
    rows = [
        {
            "citizen_id": f"00108500000{n}",
            "full_name": f"Trần Văn Lâm {n}",
            "gender": "Nam",
            "date_of_birth": "15/03/1990",
            "cell_code": cast.cell_a.code,
            "admission_decision_date": datetime.date(2026, 2, n),
            **({"introduced_by": "Hội Nông dân"} if n == 1 else {}),
        }
        for n in (1, 2)
    ]
    with time_machine.travel(datetime.datetime(2026, 12, 5, 2, 0, tzinfo=datetime.UTC), tick=False):
        result = import_workbook(workbook_bytes({MEMBERS: rows}), user=cast.commune_board)
        assert result.ok, result.issues
        assert Member.objects.get(person__citizen_id="001085000001").introduced_by == "farmers_union"
        (share,) = progress_report(cast.commune_x, YEAR, TODAY).quotas
        assert (share.achieved, share.out_of, share.share) == (1, 2, "50.0")
        # A body that does not exist is refused on its row, in Vietnamese, naming the allowed ones.
        bad = [{**rows[1], "citizen_id": "001085000009", "introduced_by": "Hội Sinh viên"}]
        refused = import_workbook(workbook_bytes({MEMBERS: bad}), user=cast.commune_board)
    assert not refused.ok
    assert any("Hội Nông dân" in str(issue) for issue in refused.issues)
    assert Quota.objects.count() == 1


def test_conversion_by_introducing_body():
    commune = org(Level.COMMUNE)
    the_cell = cell(commune)
    # Đoàn: four proposed in 2026 (certificate 60 days later), all trained; three admitted by the day.
    youth = trained_people(the_cell, 4, datetime.date(2026, 4, 1))
    for n, candidate in enumerate(youth[:3]):
        member = new_member(commune, {}, day=datetime.date(2026, 6, 1 + n))
        Candidate.objects.filter(pk=candidate.pk).update(member=member, stage="probationary")
    # The cell: two proposed in 2026, none trained; one proposed in 2025 does not count.
    for proposed in (datetime.date(2026, 5, 1), datetime.date(2026, 7, 1), datetime.date(2025, 5, 1)):
        Candidate.objects.create(
            person=Person.objects.create(
                full_name="Quần chúng", gender="male", date_of_birth=datetime.date(2001, 1, 1)
            ),
            cell=the_cell,
            stage="source",
            stage_entered_on=proposed,
            introduced_by=IntroducingBody.CELL,
            proposed_on=proposed,
        )
    report = progress_report(commune, YEAR, TODAY)
    bodies = {b.body: b for b in report.introducing_bodies}
    assert list(bodies) == list(IntroducingBody.values)
    youth_row, cell_row = bodies["youth_union"], bodies["cell"]
    assert (youth_row.introduced, youth_row.trained, youth_row.admitted, youth_row.admitted_pct) == (4, 4, 3, "75.0")
    assert (cell_row.introduced, cell_row.trained, cell_row.admitted, cell_row.admitted_pct) == (2, 0, 0, "0.0")
    assert bodies["veterans"].introduced == 0 and bodies["veterans"].admitted_pct is None
    assert youth_row.label == "Đoàn TNCS Hồ Chí Minh"
    # As on a day before the admissions: introduced and trained, none admitted yet.
    earlier = {b.body: b for b in progress_report(commune, YEAR, datetime.date(2026, 5, 15)).introducing_bodies}
    assert (earlier["youth_union"].introduced, earlier["youth_union"].admitted) == (4, 0)
    assert earlier["cell"].introduced == 1
