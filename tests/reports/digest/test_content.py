"""What a digest says: each section covers its organisation's subtree only, every item links back."""

import datetime

import pytest
from django.utils import translation

from members.vocabulary import Level
from reports.digest.content import LIST_LIMIT, build_digest
from reports.digest.message import render
from reports.digest.recipients import recipient_for
from reports.digest.services import digest_preference_set
from reports.progress import periods
from tests.factories import OrganisationFactory, grant
from tests.reports.builders import admit, quota
from tests.reports.pipeline_builders import trained_people

from .world import EDITION, build_world

pytestmark = pytest.mark.django_db
REPORTED = datetime.date(2026, 10, 1)


def digest_of(user, edition=EDITION, **kwargs):
    return build_digest(recipient_for(user, REPORTED if edition == EDITION else edition), edition, **kwargs)


def everything_said(digest) -> str:
    rendered = render(digest)
    return "\n".join([rendered.subject, rendered.text, rendered.html])


def test_a_cell_secretary_s_digest_names_only_people_of_their_own_cell(cast):
    build_world(cast)
    said = everything_said(digest_of(cast.sec_a))
    assert "Người Kết Nạp A" in said
    assert "Quần chúng A" in said
    for other in ("Người Kết Nạp B", "Người Kết Nạp C", "Quần chúng B", "Quần chúng C", "Chi bộ thôn B", "thôn C"):
        assert other not in said


def test_a_commune_secretary_sees_both_cells_of_the_commune_and_nothing_of_the_other_commune(cast):
    build_world(cast)
    digest = digest_of(cast.commune_sec)
    [section] = digest.sections
    assert [i.text for i in section.admissions.items] == ["Người Kết Nạp A", "Người Kết Nạp B"]
    said = everything_said(digest)
    assert "Người Kết Nạp C" not in said and "Quần chúng C" not in said


def test_admissions_are_last_month_s_by_decision_date_with_cell_and_a_link(cast):
    _recruitment, admitted = build_world(cast)
    [section] = digest_of(cast.sec_a).sections
    [item] = section.admissions.items
    assert (item.text, item.detail, item.day) == ("Người Kết Nạp A", "Chi bộ thôn A", datetime.date(2026, 10, 10))
    assert item.url == f"https://partyhub.example.vn/dang-vien/{admitted['A'].pk}/"


def test_progress_against_each_quota_with_percent_and_state(cast):
    build_world(cast)
    [section] = digest_of(cast.commune_sec).sections
    [line] = section.quotas
    # The year 2026 up to the send day: A on 10/10, B on 11/10, A's on 30/09 and 01/11.
    assert (line.achieved, line.target, line.percent, line.state) == (4, 5, "80.0", "below")
    assert line.state_label == "Chưa đạt"
    assert line.url.endswith(f"/to-chuc/{cast.commune_x.pk}/bao-cao/?ky=2026")


def test_a_unit_without_a_year_quota_is_data_to_fix_for_its_committee(cast):
    build_world(cast)
    [province] = digest_of(cast.province_board).sections
    texts = [(i.text, i.detail) for i in province.to_fix.items]
    assert ("Đảng bộ tỉnh Thử", "Chưa giao chỉ tiêu năm 2026") in texts
    [commune] = digest_of(cast.commune_sec).sections
    assert not [i for i in commune.to_fix.items if "Chưa giao chỉ tiêu" in i.detail]


def test_lagging_child_units_are_named(cast):
    build_world(cast)
    quota(cast.cell_b, periods.year(2026), 10)
    [section] = digest_of(cast.commune_sec).sections
    assert [i.text for i in section.lagging.items] == ["Chi bộ thôn B"]
    assert section.lagging.items[0].url.endswith(f"/to-chuc/{cast.cell_b.pk}/bao-cao/?ky=2026")


def test_deadlines_of_the_coming_month_only_and_overdue_ones_as_data_to_fix(cast):
    build_world(cast)
    # Certificates are valid 60 months: one expires on 20/11/2026, one on 15/01/2027.
    [soon] = trained_people(cast.cell_a, 1, datetime.date(2021, 11, 20))
    [later] = trained_people(cast.cell_a, 1, datetime.date(2022, 1, 15))
    [section] = digest_of(cast.sec_a).sections
    assert [(i.text, i.day) for i in section.deadlines.items] == [(soon.person.full_name, datetime.date(2026, 11, 20))]
    assert later.person.full_name not in everything_said(digest_of(cast.sec_a))
    overdue = [i for i in section.to_fix.items if i.detail.startswith("Quá hạn")]
    assert [i.text for i in overdue] == ["Quần chúng A"]
    assert section.deadlines.more_url.endswith(f"/to-chuc/{cast.cell_a.pk}/han/")


def test_candidates_with_a_warning_and_cells_without_a_secretary_are_data_to_fix(cast):
    recruitment, _ = build_world(cast)
    candidate = recruitment.candidate_b
    candidate.open_findings = [{"code": "R07", "severity": "warns", "message": "Chi bộ có dưới 3 đảng viên chính thức"}]
    candidate.save(update_fields=["open_findings"])
    lonely = OrganisationFactory(code="D", name="Chi bộ thôn D", level=Level.CELL, parent=cast.commune_x)
    [section] = digest_of(cast.commune_sec).sections
    details = {(i.text, i.detail) for i in section.to_fix.items}
    assert ("Quần chúng B", "Chi bộ thôn B · Chi bộ có dưới 3 đảng viên chính thức") in details
    assert ("Chi bộ thôn D", "Chưa có tài khoản bí thư chi bộ") in details
    [item] = [i for i in section.to_fix.items if i.text == "Chi bộ thôn D"]
    assert item.url.endswith(f"/to-chuc/{lonely.pk}/")
    [own] = digest_of(cast.sec_b).sections
    assert "Chi bộ thôn D" not in {i.text for i in own.to_fix.items}


def test_a_role_holder_without_an_email_address_is_data_to_fix_for_the_committee(cast):
    build_world(cast)
    cast.sec_b.email = ""
    cast.sec_b.save(update_fields=["email"])
    [section] = digest_of(cast.commune_sec).sections
    [item] = [i for i in section.to_fix.items if "email" in i.detail]
    assert item.text == "sec_b"
    assert item.url.endswith(f"/admin/auth/user/{cast.sec_b.pk}/change/")


def test_an_organisation_with_no_data_gets_a_short_nothing_this_month_digest(cast):
    # No admissions, no candidates, no quotas: the cells' sections have nothing to say.
    digest = digest_of(cast.sec_a)
    assert digest.is_empty
    rendered = render(digest)
    assert "Không có gì mới trong tháng này" in rendered.text
    assert "Không có gì mới trong tháng này" in rendered.html
    assert "<table" not in rendered.html and "<ul" not in rendered.html


def test_one_section_per_organisation_the_user_holds_a_role_in(cast):
    build_world(cast)
    grant(cast.sec_a, cast.cell_c, "cell_secretary")
    grant(cast.sec_a, cast.cell_a, "committee_deputy")  # a second role on the same cell: still one section
    digest = digest_of(cast.sec_a)
    assert [s.name for s in digest.sections] == ["Chi bộ thôn A", "Chi bộ thôn C"]
    assert render(digest).subject == "PartyHub · Chi bộ thôn A, Chi bộ thôn C · tháng 11/2026"


def test_long_lists_stop_at_the_limit_with_a_link_to_the_rest(cast):
    admit(cast.cell_a, [datetime.date(2026, 10, 1) + datetime.timedelta(days=i % 28) for i in range(LIST_LIMIT + 5)])
    [section] = digest_of(cast.sec_a).sections
    assert section.admissions.total == LIST_LIMIT + 5
    assert len(section.admissions.items) == LIST_LIMIT
    assert section.admissions.more == 5
    assert "... và 5 người khác" in render(digest_of(cast.sec_a)).text


def test_the_digest_is_in_english_for_who_chose_english(cast):
    build_world(cast)
    digest_preference_set(user=cast.commune_sec, opted_out=False, language="en")
    digest = digest_of(cast.commune_sec)
    rendered = render(digest)
    assert rendered.subject == "PartyHub · Đảng bộ xã Xuân · month 11/2026"
    assert "Admissions in 10/2026: 2" in rendered.text
    assert "Year 2026 · Congress resolution · Admissions: 4/5 (80.0%) · Below" in rendered.text
    assert translation.get_language() == "vi"  # rendering leaves the caller's language alone


def test_the_vietnamese_digest_writes_percentages_the_vietnamese_way(cast):
    build_world(cast)
    rendered = render(digest_of(cast.commune_sec))
    assert "Năm 2026 · Nghị quyết Đại hội · Kết nạp đảng viên: 4/5 (80,0%) · Chưa đạt" in rendered.text
    assert "80,0%" in rendered.html
    assert "80.0" not in rendered.text and "80.0" not in rendered.html


def test_a_subject_never_carries_a_newline(cast):
    cast.cell_a.name = "Chi bộ\nthôn   A"
    cast.cell_a.save(update_fields=["name"])
    subject = render(digest_of(cast.sec_a)).subject
    assert "\n" not in subject and subject == "PartyHub · Chi bộ thôn A · tháng 11/2026"


def test_a_quota_below_target_carries_the_report_s_forecast_sentence_once(cast):
    build_world(cast)
    digest = digest_of(cast.commune_sec)
    [section] = digest.sections
    [line] = section.quotas
    report = snapshots_report(cast.commune_x)
    [statement] = report.forecast.reachable
    assert line.outlook == statement.text
    assert "chỉ tiêu 5 (" in line.outlook and "người" in line.outlook
    rendered = render(digest)
    assert rendered.text.count(statement.text) == 1
    assert rendered.html.count(statement.text) == 1


def snapshots_report(organisation):
    from reports.progress import snapshots

    return snapshots.report_for(organisation, periods.year(2026), EDITION).report
