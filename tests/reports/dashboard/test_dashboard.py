"""The dashboard of an organisation: cards, ranking, breakdown, warnings, and links to the people."""

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from members import services as member_services
from members.vocabulary import Level, MovementKind
from recruitment.models import Candidate, StageEntry
from reports.dashboard.selectors import CHILDREN_SHOWN, member_list_url
from reports.progress import periods
from tests.factories import PersonFactory, UserFactory, grant

from ..builders import admit, cell, org, quota

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)
YEAR = periods.year(2026)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 2, 0, tzinfo=datetime.UTC), tick=False):
        yield TODAY


@pytest.fixture
def admitted(cast):
    """2026: three women in cell A, one man in cell B, two in cell C (another commune); 2025: one in A."""
    women_a = admit(
        cast.cell_a,
        [datetime.date(2026, 2, 10), datetime.date(2026, 5, 10), datetime.date(2026, 9, 10)],
        gender="female",
        occupation="farmer",
    )
    man_b = admit(cast.cell_b, [datetime.date(2026, 3, 1)], occupation="pupil")
    in_c = admit(cast.cell_c, [datetime.date(2026, 4, 1), datetime.date(2026, 6, 1)])
    last_year_a = admit(cast.cell_a, [datetime.date(2025, 4, 1)], gender="female")
    quota(cast.commune_x, YEAR, 10, source="assigned")
    quota(cast.cell_a, YEAR, 3, source="assigned")
    quota(cast.cell_b, YEAR, 6, source="assigned")
    return {"women_a": women_a, "man_b": man_b, "in_c": in_c, "last_year_a": last_year_a}


def names(members) -> set[str]:
    return {m.person.full_name for m in members}


def dashboard(client, organisation, **params):
    return client.get(reverse("reports:dashboard", args=[organisation.pk]), params)


def hrefs(body: str, pattern: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', body) if re.search(pattern, unescape(h))]


def listed_people(client, url: str) -> set[str]:
    """The names in the member list a dashboard link opens (every page of it)."""
    body = client.get(url).content.decode()
    table = body.split('id="members"', 1)[1]
    return set(re.findall(r'<a href="/dang-vien/\d+/">([^<]+)</a>', table))


def test_the_commune_board_sees_its_quota_card_with_achieved_percent_and_state(client, cast, admitted):
    client.force_login(cast.commune_board)
    body = dashboard(client, cast.commune_x, ky="2026").content.decode()
    card = body.split('class="card h-100 quota-card"', 1)[1].split("</section>", 1)[0]
    assert "Cấp trên giao · Kết nạp đảng viên" in card
    assert re.search(r'quota-achieved" href="[^"]+">4</a>', card)
    assert "/ 10" in card
    assert "40,0%" in card
    assert "Chưa đạt" in card


def test_the_admissions_number_opens_the_member_list_of_exactly_those_people(client, cast, admitted):
    client.force_login(cast.commune_board)
    body = dashboard(client, cast.commune_x, ky="2026").content.decode()
    expected = member_list_url(cast.commune_x.pk, YEAR.start, YEAR.end)
    assert expected == (
        f"/to-chuc/{cast.commune_x.pk}/?admitted_from=2026-01-01&admitted_to=2026-12-31&status=all#members"
    )
    assert expected in hrefs(body, r"admitted_from")
    assert listed_people(client, expected) == names(admitted["women_a"] + admitted["man_b"])


def test_a_member_admitted_this_year_who_has_since_died_is_still_listed_behind_the_number(client, cast, admitted):
    member_services.member_record_exit(member=admitted["man_b"][0], kind=MovementKind.DIED, on=TODAY)
    client.force_login(cast.commune_board)
    url = member_list_url(cast.commune_x.pk, YEAR.start, YEAR.end)
    assert names(admitted["man_b"]) <= listed_people(client, url)


def test_the_women_row_links_to_the_women_admitted_only(client, cast, admitted):
    client.force_login(cast.commune_board)
    body = dashboard(client, cast.commune_x, ky="2026").content.decode()
    row = body.split('id="breakdown-women"', 1)[1].split("</tr>", 1)[0]
    this_year, last_year = hrefs(row, r"gender=female")
    assert listed_people(client, this_year) == names(admitted["women_a"])
    assert listed_people(client, last_year) == names(admitted["last_year_a"])
    assert ">3</a>" in row and ">1</a>" in row and "300,0" in row


def test_an_occupation_row_links_to_the_member_list_filtered_by_occupation(client, cast, admitted):
    client.force_login(cast.commune_board)
    body = dashboard(client, cast.commune_x, ky="2026").content.decode()
    row = body.split('id="breakdown-occupationpupil"', 1)[1].split("</tr>", 1)[0]
    (this_year,) = hrefs(row, r"occupation=pupil")  # none last year: a plain 0, no link to an empty list
    assert listed_people(client, this_year) == names(admitted["man_b"])


def test_the_child_units_are_ranked_and_the_lagging_one_is_highlighted(client, cast, admitted):
    client.force_login(cast.commune_board)
    body = dashboard(client, cast.commune_x, ky="2026").content.decode()
    ranking = body.split('id="ranking"', 1)[1].split("</section>", 1)[0]
    assert ranking.index("Chi bộ thôn A") < ranking.index("Chi bộ thôn B")
    row_b = ranking.split(f'id="child-{cast.cell_b.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "lagging" in re.search(rf'<tr id="child-{cast.cell_b.pk}" class="([^"]*)"', ranking)[1]
    assert "lagging" not in re.search(rf'<tr id="child-{cast.cell_a.pk}" class="([^"]*)"', ranking)[1]
    assert "Chậm" in row_b and "16,7%" in row_b


def test_a_child_links_to_its_own_dashboard_and_its_admitted_people(client, cast, admitted):
    client.force_login(cast.commune_board)
    body = dashboard(client, cast.commune_x, ky="2026").content.decode()
    row_a = body.split(f'id="child-{cast.cell_a.pk}"', 1)[1].split("</tr>", 1)[0]
    assert f"/to-chuc/{cast.cell_a.pk}/bao-cao/?ky=2026" in hrefs(row_a, r"bao-cao")
    (achieved,) = hrefs(row_a, r"admitted_from")
    assert listed_people(client, achieved) == names(admitted["women_a"])


def test_a_cell_dashboard_works_without_a_ranking(client, cast, admitted):
    client.force_login(cast.sec_a)
    response = dashboard(client, cast.cell_a, ky="2026")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="ranking"' not in body and 'id="early-warnings"' not in body
    assert re.search(r'quota-achieved" href="[^"]+">3</a>', body)


def test_the_breadcrumbs_go_back_up_to_the_dashboards_above(client, cast, admitted):
    client.force_login(cast.province_board)
    body = dashboard(client, cast.cell_a, ky="2026").content.decode()
    crumbs = body.split('class="breadcrumb', 1)[1].split("</ol>", 1)[0]
    assert f"/to-chuc/{cast.province.pk}/bao-cao/?ky=2026" in crumbs
    assert f"/to-chuc/{cast.commune_x.pk}/bao-cao/?ky=2026" in crumbs


def test_the_funnel_links_each_stage_to_the_board(client, cast, admitted):
    from tests.cast import add_recruitment

    add_recruitment(cast)
    client.force_login(cast.commune_board)
    body = dashboard(client, cast.commune_x).content.decode()
    source = body.split('id="funnel-source"', 1)[1].split("</li>", 1)[0]
    assert f'href="/to-chuc/{cast.commune_x.pk}/phat-trien-dang/#stage-source">2</a>' in source


def test_the_default_period_is_the_current_term_and_the_figures_say_when_they_were_computed(client, cast, admitted):
    client.force_login(cast.commune_board)
    body = dashboard(client, cast.commune_x).content.decode()
    assert "Nhiệm kỳ 2025-2030" in body.split('id="period-heading"', 1)[1][:200]
    assert "Số liệu tính lúc 09:00 23/11/2026" in body


@pytest.mark.parametrize(
    ("params", "heading"),
    [
        ({"ky": "2026-03"}, "Tháng 3/2026"),
        ({"ky": "2025-2030"}, "Nhiệm kỳ 2025-2030"),
        ({"tu": "2026-01-01", "den": "2026-06-30"}, "01/01/2026 – 30/06/2026"),
    ],
)
def test_the_period_picker_chooses_a_month_a_term_or_a_custom_range(client, cast, admitted, params, heading):
    client.force_login(cast.commune_board)
    body = dashboard(client, cast.commune_x, **params).content.decode()
    assert heading in body.split('id="period-heading"', 1)[1][:200]


def test_a_period_it_cannot_read_falls_back_to_the_term_and_says_why(client, cast, admitted):
    client.force_login(cast.commune_board)
    body = dashboard(client, cast.commune_x, ky="2026-13").content.decode()
    assert "Tháng không hợp lệ" in body
    assert "Nhiệm kỳ 2025-2030" in body.split('id="period-heading"', 1)[1][:200]


def test_the_chart_data_is_in_the_page_as_json_with_the_pace_to_the_target(client, cast, admitted):
    client.force_login(cast.commune_board)
    response = dashboard(client, cast.commune_x, ky="2026")
    chart = response.context["dash"].chart
    assert chart["labels"][0] == "01/2026" and chart["labels"][-1] == "12/2026"
    assert chart["series"]["actual"][:5] == [0, 1, 2, 2, 3]  # A in February and May, B in March
    assert chart["series"]["actual"][10] == 4 and chart["series"]["actual"][11] is None
    assert chart["series"]["pace"][-1] == 10
    assert 'id="dashboard-chart" type="application/json"' in response.content.decode()
    assert "js/dashboard.js" in response.content.decode()


def _training_history(cell_org, n_decided, n_withdrawn, days):
    """Candidates of `cell_org` who entered the class in 2024 and were decided `days` later (or left)."""
    people = [PersonFactory() for _ in range(n_decided + n_withdrawn)]
    start = datetime.date(2024, 1, 10)
    for i, person in enumerate(people):
        decided = i < n_decided
        end_stage = "decided" if decided else "withdrawn"
        end = start + datetime.timedelta(days=days)
        candidate = Candidate.objects.create(
            person=person,
            cell=cell_org,
            stage=end_stage,
            stage_entered_on=end,
            introduced_by="youth_union",
            proposed_on=start,
        )
        StageEntry.objects.bulk_create(
            [
                StageEntry(candidate=candidate, stage="training", entered_on=start),
                StageEntry(candidate=candidate, stage=end_stage, entered_on=end),
            ]
        )


def test_an_early_warning_names_the_unit_and_how_many_more_people_the_class_needs(client, cast, admitted):
    _training_history(cast.cell_b, n_decided=6, n_withdrawn=2, days=30)  # 75% decided, a month after the class
    client.force_login(cast.commune_board)
    body = dashboard(client, cast.commune_x, ky="2026").content.decode()
    warnings = body.split('id="early-warnings"', 1)[1].split("</section>", 1)[0]
    assert "Chi bộ thôn A" not in warnings  # 3 of 3: reached
    warning_b = warnings.split(f'id="warning-{cast.cell_b.pk}"', 1)[1].split("</li>", 1)[0]
    assert "đã kết nạp 1/6, dự kiến thêm 0, còn thiếu khoảng 5." in " ".join(warning_b.split())
    # 5 more admissions at 75% is 7 people, who must start a month before the year ends.
    assert "Cần thêm 7 quần chúng vào lớp bồi dưỡng trước ngày 01/12/2026." in warning_b
    assert f'href="/to-chuc/{cast.cell_b.pk}/bao-cao/?ky=2026"' in warning_b


def test_when_the_class_is_too_late_the_warning_says_to_hurry_the_dossiers_in_hand(client, cast, admitted):
    _training_history(cast.cell_b, n_decided=6, n_withdrawn=0, days=120)
    client.force_login(cast.commune_board)
    body = dashboard(client, cast.commune_x, ky="2026").content.decode()
    warning_b = body.split(f'id="warning-{cast.cell_b.pk}"', 1)[1].split("</li>", 1)[0]
    assert "khó kịp kết nạp trong kỳ" in warning_b


def test_every_role_starts_on_its_to_do_list_with_its_dashboard_one_tap_away(client, cast):
    # Issue 13 item 5: the start page is "Việc cần làm" (recruitment/views/todo.py); a committee's dashboard
    # is linked from it, a cell secretary's board too.
    client.force_login(cast.province_board)
    body = client.get(reverse("home")).content.decode()
    assert "Việc cần làm" in body and reverse("reports:dashboard", args=[cast.province.pk]) in body
    client.force_login(cast.commune_sec)
    body = client.get(reverse("home")).content.decode()
    assert "Việc cần làm" in body and reverse("reports:dashboard", args=[cast.commune_x.pk]) in body
    client.force_login(cast.sec_a)
    body = client.get(reverse("home")).content.decode()
    assert "Việc cần làm" in body and reverse("recruitment:board", args=[cast.cell_a.pk]) in body


def test_the_dashboard_is_the_first_tab_of_an_organisation(client, cast):
    client.force_login(cast.commune_board)
    body = client.get(cast.commune_x.get_absolute_url()).content.decode()
    tabs = body.split('role="tablist"', 1)[1].split("</ul>", 1)[0]
    first = re.search(r'href="([^"]+)"[^>]*>(?:<i[^>]*></i>)?\s*([^<]+)</a>', tabs)
    assert first[1] == reverse("reports:dashboard", args=[cast.commune_x.pk])
    assert first[2].strip() == "Tổng quan"


def test_the_quota_link_is_shown_to_the_committee_only(client, cast, admitted):
    client.force_login(cast.commune_board)
    assert reverse("reports:quotas", args=[cast.cell_a.pk]) in dashboard(client, cast.cell_a).content.decode()
    client.force_login(cast.sec_a)
    assert reverse("reports:quotas", args=[cast.cell_a.pk]) not in dashboard(client, cast.cell_a).content.decode()


# --- the query budget ---------------------------------------------------------------------------

# Session, user, roles, the organisation, the snapshot, the breadcrumb, and the dashboard's own five
# (lineage, admissions per month, stage entries, open candidates, the children's paths).
BUDGET_FROM_SNAPSHOT = 11
# The first view also computes the progress report (reports/progress/report.py) and stores it.
BUDGET_FIRST_VIEW = 35  # with the unit's recorded terms (reports/progress/terms.py)


def commune_of(size: int):
    """A commune with `size` cells, each with admissions, a quota and candidates in the pipeline."""
    commune = org(Level.COMMUNE)
    quota(commune, periods.term(2025), 10 * size, source="assigned")
    for _ in range(size):
        unit = cell(commune)
        quota(unit, periods.term(2025), 10, source="assigned")
        admit(unit, [datetime.date(2025, 9, 1), datetime.date(2026, 3, 1), datetime.date(2026, 10, 1)])
        _training_history(unit, n_decided=1, n_withdrawn=1, days=60)
    user = UserFactory()
    grant(user, commune, "board_staff")
    return commune, user


@pytest.mark.parametrize("size", [3, 30])
def test_the_dashboard_costs_the_same_queries_for_3_or_30_child_units(client, size, django_assert_max_num_queries):
    commune, user = commune_of(size)
    client.force_login(user)
    with django_assert_max_num_queries(BUDGET_FIRST_VIEW):
        response = dashboard(client, commune)
    assert len(response.context["dash"].children) == size
    assert len(response.context["dash"].warnings) == size
    with django_assert_max_num_queries(BUDGET_FROM_SNAPSHOT):
        response = dashboard(client, commune)
    assert response.context["dash"].from_snapshot


@pytest.mark.parametrize("size", [3, 30])
def test_ranking_on_another_source_costs_the_same_queries_for_3_or_30_child_units(
    client, size, django_assert_max_num_queries
):
    commune, user = commune_of(size)
    from members.models import Organisation

    for unit in Organisation.objects.filter(path__startswith=commune.path, depth=commune.depth + 1):
        quota(unit, periods.term(2025), 20, source="plan")
    client.force_login(user)
    dashboard(client, commune)  # stores the snapshot, ranked on the default source
    # The children ranked on every source are in the snapshot: another ranking computes nothing.
    with django_assert_max_num_queries(BUDGET_FROM_SNAPSHOT):
        response = dashboard(client, commune, xep_hang="plan")
    dash = response.context["dash"]
    assert dash.ranked_by == "plan" and {c["target"] for c in dash.children} == {20}


@pytest.mark.parametrize("size", [CHILDREN_SHOWN, CHILDREN_SHOWN + 3])
def test_past_the_first_ranked_children_the_rest_are_folded_below_numbered_on(client, size):
    commune = org(Level.COMMUNE)
    units = [cell(commune) for _ in range(size)]
    for n, unit in enumerate(units):
        quota(unit, periods.term(2025), 10, source="assigned")
        admit(unit, [datetime.date(2026, 3, 1)] * (n % 4))
    user = UserFactory()
    grant(user, commune, "board_staff")
    client.force_login(user)
    ranking = dashboard(client, commune).content.decode().split('id="ranking"', 1)[1].split("</section>", 1)[0]
    shown, _, folded = ranking.partition('id="more-children"')
    row = r'<tr id="child-(\d+)"[^>]*>\s*<td class="text-end text-muted">(\d+)</td>'
    open_rows, folded_rows = re.findall(row, shown), re.findall(row, folded)
    assert len(open_rows) == CHILDREN_SHOWN
    assert len(folded_rows) == size - CHILDREN_SHOWN
    assert [int(n) for _pk, n in open_rows + folded_rows] == list(range(1, size + 1))
    assert sorted(int(pk) for pk, _n in open_rows + folded_rows) == sorted(u.pk for u in units)
    if folded_rows:
        assert "Xem thêm 3 đơn vị" in folded.split("</summary>", 1)[0]
    # Ranked best first: the open rows are those with the most admissions.
    achieved = dict(re.findall(r'<tr id="child-(\d+)".*?class="child-achieved">(\d+)</a>', ranking, re.S))
    assert min(int(achieved[pk]) for pk, _n in open_rows) >= max(
        (int(achieved[pk]) for pk, _n in folded_rows), default=0
    )


def test_every_figure_of_biểu_2_opens_exactly_the_people_it_counts(client, cast, admitted):
    from members.models import Member, Person

    minority = admit(cast.cell_b, [datetime.date(2026, 7, 1)], ethnicity="Tày", date_of_birth=datetime.date(1990, 7, 2))
    believer = admit(cast.cell_b, [datetime.date(2026, 7, 2)], date_of_birth=datetime.date(1960, 1, 1))
    Person.objects.filter(member__in=believer).update(
        religion="Phật giáo",
        is_youth_union_member=True,
        general_education="upper_secondary",
        professional_training="university",
    )
    Member.objects.filter(pk__in=[m.pk for m in believer]).update(is_readmitted=True)
    client.force_login(cast.commune_board)
    body = dashboard(client, cast.commune_x, ky="2026").content.decode()
    table = body.split('id="breakdown"', 1)[1].split("</table>", 1)[0]
    checked = {}
    for row_id, cells in re.findall(r'<tr id="breakdown-([^"]+)"[^>]*>(.*?)</tr>', table, re.S):
        this_cell = re.findall(r'<td class="text-end">(.*?)</td>', cells, re.S)[0]
        count = int(re.sub(r"<[^>]+>", "", this_cell).replace(".", "").strip())
        if count == 0:
            continue
        (url,) = hrefs(this_cell, r"admitted_from")  # every non-zero figure is a link
        people = listed_people(client, url)
        assert len(people) == count, row_id
        checked[row_id] = people
    assert checked["ethnic_minority"] == names(minority)
    assert checked["religious"] == checked["youth_union"] == checked["readmitted"] == names(believer)
    assert checked["ageover_60"] == names(believer)  # 66 on the day of admission
    assert names(minority) <= checked["age31-35"]  # 35: admitted the day before their 36th birthday
    assert {"ethnic_minority", "religious", "youth_union", "readmitted", "total", "women"} <= set(checked)
    assert any(k.startswith("age") for k in checked) and any(k.startswith("education") for k in checked)
    assert any(k.startswith("training") for k in checked)


def test_the_board_picks_the_quota_source_the_children_are_ranked_on(client, cast, admitted):
    quota(cast.cell_a, YEAR, 30, source="plan")
    quota(cast.cell_b, YEAR, 1, source="plan")
    client.force_login(cast.commune_board)

    body = dashboard(client, cast.commune_x, ky="2026").content.decode()
    ranking = body.split('id="ranking"', 1)[1].split("</section>", 1)[0]
    picker = ranking.split('id="ranking-source"', 1)[1].split("</form>", 1)[0]
    assert "Xếp hạng theo" in picker
    assert re.search(r'<option value="assigned" selected>Kết nạp đảng viên · Cấp trên giao</option>', picker)
    assert '<option value="plan">Kết nạp đảng viên · Kế hoạch năm</option>' in picker
    assert ranking.index("Chi bộ thôn A") < ranking.index("Chi bộ thôn B")  # A 3/3, B 1/6

    body = dashboard(client, cast.commune_x, ky="2026", xep_hang="plan").content.decode()
    ranking = body.split('id="ranking"', 1)[1].split("</section>", 1)[0]
    assert '<option value="plan" selected>Kết nạp đảng viên · Kế hoạch năm</option>' in ranking
    assert ranking.index("Chi bộ thôn B") < ranking.index("Chi bộ thôn A")  # B 1/1, A 3/30
    row_b = ranking.split(f'id="child-{cast.cell_b.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "100,0%" in row_b and "/ 1<" in row_b

    # A source no child holds falls back to the default.
    body = dashboard(client, cast.commune_x, ky="2026", xep_hang="resolution").content.decode()
    assert re.search(r'<option value="assigned" selected>', body)


def test_with_one_source_the_ranking_names_it(client, cast, admitted):
    client.force_login(cast.commune_board)
    body = dashboard(client, cast.commune_x, ky="2026").content.decode()
    picker = body.split('id="ranking-source"', 1)[1].split("</form>", 1)[0]
    assert "Xếp hạng theo" in picker and "Kết nạp đảng viên · Cấp trên giao" in picker and "<select" not in picker


def test_a_unit_with_thousands_of_cells_lists_a_hundred_by_name_and_counts_the_rest(client):
    """A province's dashboard names at most CELLS_SHOWN idle cells; each child's page lists its own."""
    from reports.dashboard.selectors import CELLS_SHOWN

    commune = org(Level.COMMUNE)
    for _ in range(CELLS_SHOWN + 5):
        org(Level.CELL, commune)
    user = UserFactory()
    grant(user, commune, "board_staff")
    client.force_login(user)
    response = dashboard(client, commune, ky=periods.year(2026).key)
    dash = response.context["dash"]
    assert dash.no_admission_count == dash.dormant_count == CELLS_SHOWN + 5
    assert len(dash.no_admission) == len(dash.dormant) == CELLS_SHOWN
    body = response.content.decode()
    section = body[body.index('id="no-admission"') : body.index('id="dormant"')]
    assert section.count("<li>") == CELLS_SHOWN
    assert f"{CELLS_SHOWN + 5} chi bộ chưa kết nạp" in body
    assert f"Hiện {CELLS_SHOWN} chi bộ đầu tiên" in body
