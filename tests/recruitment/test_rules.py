"""The admission rules of docs/domain.md §3, at their boundaries."""

import datetime
import re

from hypothesis import given
from hypothesis import strategies as st

from recruitment import rule_numbers
from recruitment.rules import (
    Finding,
    IntroductionRoute,
    MemberIntroducer,
    Severity,
    add_months,
    certificate_valid_until,
    check_age,
    check_application_before_history,
    check_cell_vote,
    check_ceremony_deadline,
    check_certificate,
    check_committee_approval,
    check_dates_plausible,
    check_decision_deadline,
    check_dossier_paper_age,
    check_education,
    check_introducers,
    check_minimum_full_members,
    check_probation_completed,
    check_readmission,
    check_recognition_deadline,
    decision_deadline,
    full_member_effective_date,
    party_age,
    probation_end,
    recognition_deadline,
    required_votes,
    unique_findings,
)

D = datetime.date


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def blocking(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings if f.blocks]


# --- month arithmetic ---------------------------------------------------------------------------


def test_a_month_added_to_31_january_ends_on_the_last_day_of_february():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2026, 3, 15), -3) == D(2025, 12, 15)


# --- rule 1 -------------------------------------------------------------------------------------


def test_a_candidate_turning_18_on_the_vote_day_passes():
    assert check_age(birth_date=D(2008, 3, 15), vote_date=D(2026, 3, 15)) == []


def test_a_candidate_turning_18_the_day_after_the_vote_is_refused():
    findings = check_age(birth_date=D(2008, 3, 15), vote_date=D(2026, 3, 14))
    assert blocking(findings) == ["R01_TOO_YOUNG"]
    assert "17 tuổi 11 tháng" in findings[0].message
    assert "15/03/2026" in findings[0].message
    assert "Quy tắc 1" in findings[0].message


def test_a_candidate_born_on_29_february_turns_18_on_28_february_of_a_common_year():
    assert check_age(birth_date=D(2008, 2, 29), vote_date=D(2026, 2, 28)) == []
    assert codes(check_age(birth_date=D(2008, 2, 29), vote_date=D(2026, 2, 27))) == ["R01_TOO_YOUNG"]


def test_a_candidate_born_on_28_february_turns_18_on_28_february_even_in_a_leap_year():
    assert check_age(birth_date=D(2010, 2, 28), vote_date=D(2028, 2, 28)) == []
    assert codes(check_age(birth_date=D(2010, 2, 28), vote_date=D(2028, 2, 27))) == ["R01_TOO_YOUNG"]


def test_a_candidate_born_on_29_february_passes_60_years_and_one_month_on_29_march():
    assert check_age(birth_date=D(1964, 2, 29), vote_date=D(2024, 3, 28)) == []
    assert codes(check_age(birth_date=D(1964, 2, 29), vote_date=D(2024, 3, 29))) == ["R01_TOO_OLD"]


def test_a_candidate_of_60_years_and_some_days_still_passes():
    assert check_age(birth_date=D(1966, 1, 10), vote_date=D(2026, 1, 10)) == []
    assert check_age(birth_date=D(1966, 1, 10), vote_date=D(2026, 2, 9)) == []


def test_a_candidate_of_60_years_and_one_month_is_refused_without_an_exception():
    findings = check_age(birth_date=D(1966, 1, 10), vote_date=D(2026, 2, 10))
    assert blocking(findings) == ["R01_TOO_OLD"]
    assert "60 tuổi 1 tháng" in findings[0].message


def test_a_recorded_exception_lets_an_older_candidate_through_with_a_note():
    findings = check_age(
        birth_date=D(1960, 5, 1),
        vote_date=D(2026, 3, 1),
        over_age_exception=True,
        exception_reference="Công văn 123-CV/TU",
    )
    assert codes(findings) == ["R01_OVER_AGE_EXCEPTION"]
    assert findings[0].severity == Severity.NOTES
    assert not findings[0].blocks
    assert "123-CV/TU" in findings[0].message


def test_an_age_exception_without_its_document_still_blocks():
    findings = check_age(birth_date=D(1960, 5, 1), vote_date=D(2026, 3, 1), over_age_exception=True)
    assert blocking(findings) == ["R01_EXCEPTION_WITHOUT_REFERENCE"]


# --- rule 2 -------------------------------------------------------------------------------------


def test_a_lower_secondary_diploma_is_enough():
    assert check_education(general_education="lower_secondary") == []
    assert check_education(general_education="upper_secondary") == []


def test_primary_education_alone_is_refused():
    assert blocking(check_education(general_education="primary")) == ["R02_EDUCATION_TOO_LOW"]


def test_primary_education_passes_under_a_hardship_exception_with_its_reference():
    findings = check_education(
        general_education="primary", hardship_exception=True, exception_reference="Hướng dẫn 06-HD/TW"
    )
    assert codes(findings) == ["R02_HARDSHIP_EXCEPTION"]
    assert not findings[0].blocks


def test_a_hardship_exception_without_a_reference_blocks():
    assert blocking(check_education(general_education="primary", hardship_exception=True)) == [
        "R02_EXCEPTION_WITHOUT_REFERENCE"
    ]


def test_missing_education_blocks():
    assert blocking(check_education(general_education=None)) == ["R02_EDUCATION_MISSING"]
    assert blocking(check_education(general_education="phd")) == ["R02_EDUCATION_UNKNOWN"]


# --- rule 3 -------------------------------------------------------------------------------------


def test_a_certificate_issued_exactly_60_months_before_the_vote_is_still_valid():
    assert check_certificate(issued_on=D(2021, 3, 10), vote_date=D(2026, 3, 10)) == []


def test_a_certificate_one_day_older_than_60_months_has_expired():
    findings = check_certificate(issued_on=D(2021, 3, 10), vote_date=D(2026, 3, 11))
    assert blocking(findings) == ["R03_CERTIFICATE_EXPIRED"]
    assert "10/03/2026" in findings[0].message
    assert findings[0].figures["validity_months"] == 60


def test_a_certificate_issued_on_29_february_is_valid_until_28_february():
    assert certificate_valid_until(D(2024, 2, 29)) == D(2029, 2, 28)


def test_a_missing_certificate_blocks():
    assert blocking(check_certificate(issued_on=None, vote_date=D(2026, 3, 10))) == ["R03_CERTIFICATE_MISSING"]


def test_a_certificate_issued_after_the_vote_is_out_of_order():
    assert blocking(check_certificate(issued_on=D(2026, 4, 1), vote_date=D(2026, 3, 10))) == ["DATE_ORDER"]


# --- rule 4 -------------------------------------------------------------------------------------


def test_an_application_written_before_the_personal_history_passes():
    assert check_application_before_history(application_date=D(2025, 9, 1), history_date=D(2025, 9, 2)) == []


def test_an_application_written_after_the_personal_history_blocks():
    findings = check_application_before_history(application_date=D(2025, 9, 3), history_date=D(2025, 9, 2))
    assert blocking(findings) == ["R04_APPLICATION_AFTER_HISTORY"]
    assert "03/09/2025" in findings[0].message


def test_an_application_and_history_on_the_same_day_only_warn():
    findings = check_application_before_history(application_date=D(2025, 9, 2), history_date=D(2025, 9, 2))
    assert codes(findings) == ["R04_SAME_DAY"]
    assert findings[0].severity == Severity.WARNS


# --- rule 5 -------------------------------------------------------------------------------------

VOTE = D(2026, 6, 15)
ADULT = D(1985, 1, 1)  # 41 at the vote: not of youth age
YOUNG = D(2001, 1, 1)  # 25 at the vote


KNOWN_SINCE = D(2024, 1, 1)
INTRODUCED_ON = D(2026, 6, 1)


def member(name="Nguyễn Văn An", *, full=True, since=KNOWN_SINCE, on=INTRODUCED_ON, replacement=False):
    return MemberIntroducer(
        name=name, is_full_member=full, known_since=since, introduced_on=on, is_replacement=replacement
    )


def introducers(route, members, *, birth=ADULT, doan=False, union_member=False, agency=False):
    return check_introducers(
        route=route,
        member_introducers=members,
        candidate_birth_date=birth,
        vote_date=VOTE,
        youth_union_exists=doan,
        is_youth_union_member=union_member,
        agency_or_enterprise=agency,
    )


def test_two_full_members_who_know_the_candidate_for_a_year_may_introduce():
    assert introducers(IntroductionRoute.MEMBERS, [member(), member("Trần Thị Bình")]) == []


def test_one_member_alone_cannot_introduce():
    assert blocking(introducers(IntroductionRoute.MEMBERS, [member()])) == ["R05_INTRODUCER_COUNT"]


def test_an_introducer_who_has_known_the_candidate_for_12_months_passes():
    assert introducers(IntroductionRoute.MEMBERS, [member(), member(since=D(2025, 6, 1), on=D(2026, 6, 1))]) == []


def test_an_introducer_who_has_known_the_candidate_for_11_months_is_refused():
    findings = introducers(IntroductionRoute.MEMBERS, [member(), member("Lê Văn Cường", since=D(2025, 6, 2))])
    assert blocking(findings) == ["R05_INTRODUCER_KNOWN_TOO_SHORT"]
    assert findings[0].figures["months_known"] == 11
    assert "Lê Văn Cường" in findings[0].message


def test_a_replacement_introducer_is_exempt_from_the_12_months():
    replacement = member("Phạm Thị Dung", since=D(2026, 3, 1), replacement=True)
    assert introducers(IntroductionRoute.MEMBERS, [member(), replacement]) == []


def test_a_probationary_member_cannot_introduce():
    findings = introducers(IntroductionRoute.MEMBERS, [member(), member("Hoàng Văn Em", full=False)])
    assert blocking(findings) == ["R05_INTRODUCER_NOT_FULL"]
    assert "dự bị" in findings[0].message


def test_a_youth_age_candidate_where_doan_exists_must_be_introduced_by_the_doan():
    findings = introducers(IntroductionRoute.MEMBERS, [member(), member()], birth=YOUNG, doan=True, union_member=True)
    assert blocking(findings) == ["R05_YOUTH_NEEDS_DOAN"]


def test_the_doan_and_one_full_member_introduce_a_youth_union_member():
    assert introducers(IntroductionRoute.YOUTH_UNION, [member()], birth=YOUNG, doan=True, union_member=True) == []


def test_a_youth_age_candidate_where_doan_exists_must_be_a_youth_union_member():
    findings = introducers(IntroductionRoute.YOUTH_UNION, [member()], birth=YOUNG, doan=True, union_member=False)
    assert blocking(findings) == ["R05_YOUTH_NOT_UNION_MEMBER"]


def test_a_candidate_aged_30_full_years_is_still_of_youth_age_and_31_is_not():
    thirty = D(1995, 6, 16)  # 30 years 11 months on the vote day
    thirty_one = D(1995, 6, 15)  # 31 on the vote day
    assert blocking(introducers(IntroductionRoute.MEMBERS, [member(), member()], birth=thirty, doan=True)) == [
        "R05_YOUTH_NOT_UNION_MEMBER",
        "R05_YOUTH_NEEDS_DOAN",
    ]
    assert introducers(IntroductionRoute.MEMBERS, [member(), member()], birth=thirty_one, doan=True) == []


def test_the_doan_cannot_introduce_where_there_is_no_doan_organisation():
    findings = introducers(IntroductionRoute.YOUTH_UNION, [member()], birth=YOUNG, doan=False, union_member=True)
    assert blocking(findings) == ["R05_NO_DOAN_ORGANISATION"]


def test_a_trade_union_introduces_in_an_enterprise_without_a_doan_organisation():
    assert introducers(IntroductionRoute.TRADE_UNION, [member()], agency=True) == []


def test_a_trade_union_cannot_introduce_where_a_doan_organisation_exists():
    findings = introducers(IntroductionRoute.TRADE_UNION, [member()], agency=True, doan=True)
    assert blocking(findings) == ["R05_TRADE_UNION_NOT_ALLOWED"]


def test_a_trade_union_cannot_introduce_in_a_residential_cell():
    assert blocking(introducers(IntroductionRoute.TRADE_UNION, [member()], agency=False)) == [
        "R05_TRADE_UNION_NOT_ALLOWED"
    ]


# --- rule 6 -------------------------------------------------------------------------------------


def test_a_cell_of_10_full_members_needs_7_votes():
    assert check_cell_vote(votes_for=7, full_members=10) == []
    findings = check_cell_vote(votes_for=6, full_members=10)
    assert blocking(findings) == ["R06_VOTE_SHARE"]
    assert findings[0].message.startswith(
        "Chi bộ có 10 đảng viên chính thức; cần ít nhất 7 phiếu tán thành, có 6 (Quy tắc 6: ≥ 2/3 tổng số"
    )
    assert "Điều lệ Đảng" in findings[0].message
    assert "Quy định 294-QĐ/TW" in findings[0].message
    assert findings[0].figures == {"full_members": 10, "absent_exempt": 0, "base": 10, "votes_for": 6, "needed": 7}


def test_a_cell_of_9_full_members_needs_6_votes():
    assert check_cell_vote(votes_for=6, full_members=9) == []
    assert blocking(check_cell_vote(votes_for=5, full_members=9)) == ["R06_VOTE_SHARE"]


def test_the_share_is_of_all_full_members_not_of_those_present():
    # 10 members, 7 present, all 7 for: passes; 6 present and all for: fails.
    assert check_cell_vote(votes_for=7, full_members=10) == []
    assert codes(check_cell_vote(votes_for=6, full_members=10)) == ["R06_VOTE_SHARE"]


def test_absent_members_working_elsewhere_leave_the_base():
    assert check_cell_vote(votes_for=6, full_members=10, absent_exempt=1) == []
    assert codes(check_cell_vote(votes_for=5, full_members=10, absent_exempt=1)) == ["R06_VOTE_SHARE"]


def test_more_votes_than_voters_is_refused():
    assert blocking(check_cell_vote(votes_for=11, full_members=10)) == ["R06_VOTES_EXCEED_VOTERS"]
    assert blocking(check_cell_vote(votes_for=10, full_members=10, absent_exempt=1)) == ["R06_VOTES_EXCEED_VOTERS"]


def test_impossible_vote_figures_are_refused():
    assert blocking(check_cell_vote(votes_for=-1, full_members=10)) == ["R06_FIGURES_INVALID"]
    assert blocking(check_cell_vote(votes_for=0, full_members=2, absent_exempt=3)) == ["R06_FIGURES_INVALID"]
    assert blocking(check_cell_vote(votes_for=0, full_members=0)) == ["R06_NO_VOTERS"]


def test_a_committee_of_7_needs_5_votes():
    assert check_committee_approval(votes_for=5, committee_members=7) == []
    findings = check_committee_approval(votes_for=4, committee_members=7)
    assert blocking(findings) == ["R06_COMMITTEE_VOTE_SHARE"]
    assert "cấp ủy viên" in findings[0].message
    assert blocking(check_committee_approval(votes_for=8, committee_members=7)) == ["R06_COMMITTEE_VOTES_EXCEED_VOTERS"]


@given(st.integers(min_value=0, max_value=10_000))
def test_the_required_votes_are_the_least_count_reaching_two_thirds(base):
    needed = required_votes(base)
    assert 3 * needed >= 2 * base
    assert needed == 0 or 3 * (needed - 1) < 2 * base


# --- rule 7 -------------------------------------------------------------------------------------


def test_a_cell_with_two_full_members_warns():
    findings = check_minimum_full_members(full_members=2)
    assert codes(findings) == ["R07_TOO_FEW_FULL_MEMBERS"]
    assert findings[0].severity == Severity.WARNS


def test_a_cell_with_three_full_members_is_fine():
    assert check_minimum_full_members(full_members=3) == []


# --- rule 8 -------------------------------------------------------------------------------------


def test_a_decision_on_the_60th_working_day_across_tet_2026_is_in_time():
    assert decision_deadline(D(2026, 1, 15)) == D(2026, 4, 16)
    assert check_decision_deadline(resolution_date=D(2026, 1, 15), decision_date=D(2026, 4, 16)) == []


def test_a_decision_on_the_61st_working_day_without_extension_blocks():
    findings = check_decision_deadline(resolution_date=D(2026, 1, 15), decision_date=D(2026, 4, 17))
    assert blocking(findings) == ["R08_DECISION_LATE"]
    assert findings[0].figures["working_days"] == 61
    assert "16/04/2026" in findings[0].message


def test_an_extension_allows_30_more_working_days_across_the_april_holidays():
    # 27/4 (Giỗ Tổ, observed), 30/4 and 1/5 are holidays: the 90th working day is 2 June 2026.
    assert decision_deadline(D(2026, 1, 15), extended=True) == D(2026, 6, 2)
    findings = check_decision_deadline(resolution_date=D(2026, 1, 15), decision_date=D(2026, 6, 2), extended=True)
    assert codes(findings) == ["R08_DECISION_EXTENDED"]
    assert not findings[0].blocks
    late = check_decision_deadline(resolution_date=D(2026, 1, 15), decision_date=D(2026, 6, 3), extended=True)
    assert blocking(late) == ["R08_DECISION_LATE"]


def test_a_decision_before_the_resolution_is_out_of_order():
    findings = check_decision_deadline(resolution_date=D(2026, 1, 15), decision_date=D(2026, 1, 14))
    assert blocking(findings) == ["DATE_ORDER"]


# --- rule 9 -------------------------------------------------------------------------------------


def test_a_ceremony_30_working_days_after_receiving_the_decision_across_tet_is_in_time():
    assert check_ceremony_deadline(decision_received_date=D(2026, 2, 6), ceremony_date=D(2026, 3, 27)) == []


def test_a_ceremony_on_the_31st_working_day_needs_the_superiors_consent():
    findings = check_ceremony_deadline(decision_received_date=D(2026, 2, 6), ceremony_date=D(2026, 3, 30))
    assert blocking(findings) == ["R09_CEREMONY_LATE"]
    assert "27/03/2026" in findings[0].message
    consented = check_ceremony_deadline(
        decision_received_date=D(2026, 2, 6), ceremony_date=D(2026, 3, 30), superior_consent=True
    )
    assert codes(consented) == ["R09_LATE_WITH_CONSENT"]
    assert not consented[0].blocks


def test_the_ceremony_limit_counts_across_the_2_september_holiday():
    assert check_ceremony_deadline(decision_received_date=D(2026, 8, 25), ceremony_date=D(2026, 10, 9)) == []
    assert codes(check_ceremony_deadline(decision_received_date=D(2026, 8, 25), ceremony_date=D(2026, 10, 12))) == [
        "R09_CEREMONY_LATE"
    ]


# --- rules 10 and 11 ----------------------------------------------------------------------------


def test_probation_ends_12_months_after_the_ceremony():
    assert probation_end(D(2025, 2, 13)) == D(2026, 2, 13)
    assert probation_end(D(2024, 2, 29)) == D(2025, 2, 28)


def test_recognition_before_the_end_of_probation_blocks():
    assert blocking(check_probation_completed(ceremony_date=D(2025, 2, 13), recognition_date=D(2026, 2, 12))) == [
        "R10_PROBATION_NOT_OVER"
    ]
    assert check_probation_completed(ceremony_date=D(2025, 2, 13), recognition_date=D(2026, 2, 13)) == []


def test_the_recognition_vote_is_due_30_working_days_after_probation_across_tet():
    # Probation ends Friday 13/02/2026; the Tết week does not count.
    assert recognition_deadline(D(2025, 2, 13)) == D(2026, 4, 3)
    assert check_recognition_deadline(ceremony_date=D(2025, 2, 13), recognition_date=D(2026, 4, 3)) == []


def test_a_late_recognition_vote_warns_and_the_member_is_full_from_the_end_of_probation():
    findings = check_recognition_deadline(ceremony_date=D(2025, 2, 13), recognition_date=D(2026, 4, 6))
    assert codes(findings) == ["R11_RECOGNITION_LATE"]
    assert findings[0].severity == Severity.WARNS
    assert "13/02/2026" in findings[0].message
    assert full_member_effective_date(D(2025, 2, 13)) == D(2026, 2, 13)


# --- rule 12 ------------------------------------------------------------------------------------


def test_party_age_counts_whole_months_from_the_admission_decision():
    age = party_age(decision_date=D(2010, 3, 15), on=D(2026, 3, 14))
    assert (age.years, age.months) == (15, 11)
    assert str(age) == "15 năm 11 tháng"
    assert str(party_age(decision_date=D(2010, 3, 15), on=D(2026, 3, 15))) == "16 năm"


def test_party_age_leaves_out_time_without_party_activity():
    age = party_age(decision_date=D(2010, 3, 15), on=D(2026, 3, 14), inactive_periods=[(D(2015, 1, 1), D(2015, 7, 1))])
    assert (age.years, age.months) == (15, 5)


# --- rule 13 ------------------------------------------------------------------------------------


def readmission(**overrides):
    values = {"left_on": D(2022, 5, 10), "vote_date": D(2025, 5, 10), "provincial_consent": True}
    return check_readmission(**(values | overrides))


def test_readmission_36_months_after_leaving_with_consent_passes():
    assert readmission() == []


def test_readmission_after_35_months_blocks():
    findings = readmission(vote_date=D(2025, 5, 9))
    assert blocking(findings) == ["R13_TOO_SOON"]
    assert "10/05/2025" in findings[0].message


def test_readmission_needs_the_provincial_standing_committees_written_consent():
    assert blocking(readmission(provincial_consent=False)) == ["R13_NO_PROVINCIAL_CONSENT"]


def test_a_person_can_be_readmitted_only_once():
    assert blocking(readmission(times_readmitted_before=1)) == ["R13_ALREADY_READMITTED"]


def test_a_person_who_abandoned_party_activity_is_never_readmitted():
    findings = readmission(exit_reason="abandoned_activity")
    assert blocking(findings) == ["R13_NEVER_READMITTED"]
    assert "tự bỏ sinh hoạt đảng" in findings[0].message


def test_a_cleared_criminal_record_needs_60_months_before_readmission():
    assert blocking(readmission(convicted_less_serious_crime=True)) == ["R13_RECORD_NOT_CLEARED"]
    assert blocking(readmission(convicted_less_serious_crime=True, record_cleared_on=D(2020, 5, 11))) == [
        "R13_TOO_SOON_AFTER_RECORD_CLEARED"
    ]
    assert readmission(convicted_less_serious_crime=True, record_cleared_on=D(2020, 5, 10)) == []


# --- rule 14 ------------------------------------------------------------------------------------


def test_a_paper_exactly_12_months_old_at_the_vote_is_fine():
    assert check_dossier_paper_age(vote_date=D(2026, 3, 10), papers={"Đơn xin vào Đảng": D(2025, 3, 10)}) == []


def test_a_paper_older_than_12_months_at_the_vote_warns():
    findings = check_dossier_paper_age(
        vote_date=D(2026, 3, 10), papers={"Đơn xin vào Đảng": D(2025, 3, 9), "Lý lịch": D(2025, 9, 1)}
    )
    assert codes(findings) == ["R14_PAPER_TOO_OLD"]
    assert findings[0].severity == Severity.WARNS
    assert findings[0].message.startswith("Đơn xin vào Đảng đề ngày 09/03/2025")
    assert "chưa chắc chắn" in findings[0].message


# --- dates in order -----------------------------------------------------------------------------


def test_a_date_in_the_future_blocks_and_names_the_field():
    findings = check_dates_plausible(today=D(2026, 3, 1), ceremony_date=D(2026, 3, 2))
    assert blocking(findings) == ["DATE_IN_FUTURE"]
    assert findings[0].message.startswith("Ngày tổ chức lễ kết nạp (02/03/2026)")


def test_a_decision_before_the_resolution_blocks():
    findings = check_dates_plausible(
        today=D(2026, 6, 1), resolution_date=D(2026, 3, 10), decision_date=D(2026, 3, 9), ceremony_date=D(2026, 4, 1)
    )
    assert blocking(findings) == ["DATE_ORDER"]
    assert "Ngày quyết định kết nạp đảng viên (09/03/2026)" in findings[0].message
    assert "ngày chi bộ họp xét" in findings[0].message


def test_a_ceremony_before_the_decision_blocks():
    findings = check_dates_plausible(today=D(2026, 6, 1), decision_date=D(2026, 4, 1), ceremony_date=D(2026, 3, 31))
    assert blocking(findings) == ["DATE_ORDER"]
    assert findings[0].figures["field"] == "ceremony_date"


def test_a_paper_dated_after_the_vote_and_a_birth_after_the_papers_block():
    findings = check_dates_plausible(
        today=D(2026, 6, 1), birth_date=D(2000, 1, 1), application_date=D(2026, 3, 11), resolution_date=D(2026, 3, 10)
    )
    assert codes(findings) == ["DATE_ORDER"]
    born_late = check_dates_plausible(today=D(2026, 6, 1), birth_date=D(2026, 1, 1), application_date=D(2025, 1, 1))
    assert codes(born_late) == ["DATE_ORDER"]
    assert born_late[0].figures["must_not_precede"] == "birth_date"


def test_a_record_in_order_has_no_findings():
    assert (
        check_dates_plausible(
            today=D(2026, 6, 1),
            birth_date=D(2000, 1, 1),
            certificate_date=D(2025, 5, 1),
            application_date=D(2025, 9, 1),
            history_date=D(2025, 9, 2),
            resolution_date=D(2026, 1, 15),
            decision_date=D(2026, 3, 1),
            decision_received_date=D(2026, 3, 1),
            ceremony_date=D(2026, 3, 20),
        )
        == []
    )


def test_the_same_order_finding_from_two_checks_is_kept_once():
    one = check_decision_deadline(resolution_date=D(2026, 1, 15), decision_date=D(2026, 1, 14))
    two = check_dates_plausible(today=D(2026, 6, 1), resolution_date=D(2026, 1, 15), decision_date=D(2026, 1, 14))
    assert len(unique_findings(one + two)) == 1


# --- messages -----------------------------------------------------------------------------------


def test_messages_write_dates_as_day_month_year():
    messages = [
        f.message
        for f in (
            check_age(birth_date=D(2008, 3, 15), vote_date=D(2026, 3, 14))
            + check_certificate(issued_on=D(2021, 3, 10), vote_date=D(2026, 3, 11))
            + check_decision_deadline(resolution_date=D(2026, 1, 15), decision_date=D(2026, 4, 17))
        )
    ]
    for message in messages:
        assert not re.search(r"\d{4}-\d{2}-\d{2}", message)
        assert re.search(r"\b\d{2}/\d{2}/\d{4}\b", message)


def test_the_numbers_live_in_one_module():
    assert rule_numbers.CERTIFICATE_VALIDITY_MONTHS == 60
    assert (rule_numbers.DECISION_WORKING_DAYS, rule_numbers.DECISION_EXTENSION_WORKING_DAYS) == (60, 30)
    assert (rule_numbers.VOTE_SHARE_NUMERATOR, rule_numbers.VOTE_SHARE_DENOMINATOR) == (2, 3)
