"""The forecast model (issue 12, item 7): inside the period only, stalled candidates apart, none for a
closed period, whole people everywhere, and one sentence per quota that agrees with its pace."""

import datetime
from decimal import Decimal

import pytest

from members.vocabulary import Level
from recruitment.models import Candidate, StageEntry
from reports.progress import periods
from reports.progress.forecast import StageHistory, forecast
from reports.progress.report import progress_report
from reports.progress.sections import reachability
from reports.progress.shape import QuotaProgress
from reports.quotas.arithmetic import pace, whole_people

from ..builders import admit, org, quota, residential_cell
from ..pipeline_builders import history, trained_people

TODAY = datetime.date(2026, 12, 5)  # 26 days before the end of 2026
YEAR = periods.year(2026)
NINETY = StageHistory(finished=10, converted=8, median_days_to_decision=90, outcomes=((90, True),) * 8)


# --- one rounding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "nearest", "up"),
    [
        (3, 3, 3),
        (3.0, 3, 3),
        (Decimal("3"), 3, 3),
        (3.000001, 3, 3),  # float noise over an integer is not one more person
        (3.0000004, 3, 3),
        (2.9999999, 3, 3),
        (3.00001, 3, 4),  # a hundred-thousandth is a real share: rounding up counts it
        (3.1, 3, 4),
        (2.5, 3, 3),
        (2.49, 2, 3),
        (Decimal("27.1"), 27, 28),
        (0, 0, 0),
        (0.4, 0, 1),
        (-2.5, 0, 0),  # never a negative number of people
    ],
)
def test_whole_people_rounds_once_to_the_nearest_person_or_up(value, nearest, up):
    assert whole_people(value) == nearest
    assert whole_people(value, up=True) == up


def test_the_pace_speaks_in_whole_people_through_the_same_rounding():
    p = pace(achieved=7, target=10, start=YEAR.start, end=YEAR.end, today=datetime.date(2026, 7, 2))
    assert p.expected_by_now == whole_people(Decimal(10) * 183 / 365) == 5
    assert p.projection == whole_people(Decimal(7) * 365 / 183) == 14


def test_the_old_roundings_are_gone():
    from django.conf import settings

    sources = "".join(p.read_text() for p in (settings.BASE_DIR / "reports").rglob("*.py"))
    assert "0.499" not in sources
    assert "math.ceil(round(" not in sources


# --- never after the period ---------------------------------------------------------------------


def test_with_26_days_left_and_a_90_day_median_fresh_candidates_are_not_expected():
    result = forecast(
        candidates=[("trained", datetime.date(2026, 11, 20))] * 6 + [("trained", TODAY)] * 4,
        history={"trained": NINETY},
        parent_history=None,
        today=TODAY,
        period_end=YEAR.end,
    )
    assert result.expected == 0
    assert result.by_stage["trained"].counted == 0
    assert result.stalled == ()


def test_a_candidate_whose_median_path_lands_inside_the_period_is_expected():
    # entered on 2 October: waited 64 days of the usual 90, the median path lands on 31 December.
    result = forecast(
        candidates=[("trained", datetime.date(2026, 10, 2))] * 5,
        history={"trained": NINETY},
        parent_history=None,
        today=TODAY,
        period_end=YEAR.end,
    )
    assert result.by_stage["trained"].counted == 5
    assert result.expected == 4  # 5 × 0.8


# --- stalled candidates -------------------------------------------------------------------------


def test_candidates_stuck_for_395_days_are_listed_as_stalled_and_not_counted_as_imminent():
    stuck = TODAY - datetime.timedelta(days=395)
    result = forecast(
        candidates=[("trained", stuck)] * 3 + [("trained", TODAY - datetime.timedelta(days=200))],
        history={"trained": NINETY},
        parent_history=None,
        today=TODAY,
        period_end=YEAR.end,
    )
    assert result.expected == 0
    (group,) = result.stalled
    assert group.stage == "trained"
    assert group.usual_days == 90
    assert group.waited_days == (395, 395, 395, 200)
    assert group.expected == 0
    assert result.by_stage["trained"].stalled == 4
    assert result.by_stage["trained"].counted == 0


def test_stalled_candidates_count_at_the_rate_of_those_who_had_waited_as_long():
    # Of the 10 past cases still waiting after 395 days, 5 were decided by day 421 (395 + 26 left).
    late = StageHistory(
        finished=20,
        converted=15,
        median_days_to_decision=90,
        outcomes=((90, True),) * 10 + ((400, True),) * 5 + ((500, False),) * 5,
    )
    result = forecast(
        candidates=[("trained", TODAY - datetime.timedelta(days=395))] * 4,
        history={"trained": late},
        parent_history=None,
        today=TODAY,
        period_end=YEAR.end,
    )
    assert result.stalled[0].expected == 2  # 4 × 5/10
    assert result.expected == 2


def test_stalled_candidates_with_too_little_history_of_such_waits_count_for_nobody():
    outcomes = ((90, True),) * 9 + ((400, True),)  # one past case waited that long
    thin = StageHistory(finished=12, converted=10, median_days_to_decision=90, outcomes=outcomes)
    result = forecast(
        candidates=[("trained", TODAY - datetime.timedelta(days=395))] * 4,
        history={"trained": thin},
        parent_history=None,
        today=TODAY,
        period_end=YEAR.end,
    )
    assert result.expected == 0


# --- the report ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_closed_period_gets_no_forecast_and_says_so():
    cell = residential_cell(org(Level.COMMUNE))
    trained_people(cell, 5, datetime.date(2025, 11, 1))
    quota(cell, periods.year(2025), 10)
    data = progress_report(cell, periods.year(2025), TODAY).as_json()["forecast"]
    assert data["closed"] is True
    assert data["expected"] is None
    assert data["by_stage"] == {} and data["stalled"] == [] and data["reachable"] == [] and data["children"] == []
    running = progress_report(cell, YEAR, TODAY).as_json()["forecast"]
    assert running["closed"] is False and isinstance(running["expected"], int)


@pytest.mark.django_db
def test_decided_awaiting_ceremony_counts_only_when_decided_inside_the_period():
    cell = residential_cell(org(Level.COMMUNE))
    inside, before = trained_people(cell, 2, datetime.date(2025, 10, 1))
    # The report reads each candidate's stage as on its day from the stage entries (docs/domain.md §4.2).
    for candidate, decided_on in ((inside, datetime.date(2026, 11, 30)), (before, datetime.date(2025, 12, 30))):
        Candidate.objects.filter(pk=candidate.pk).update(stage="decided", stage_entered_on=decided_on)
        StageEntry.objects.create(candidate=candidate, stage="decided", entered_on=decided_on)
    assert progress_report(cell, YEAR, TODAY).forecast.decided_awaiting_ceremony == 1


@pytest.mark.django_db
def test_the_report_lists_stalled_candidates_in_its_json():
    commune = org(Level.COMMUNE)
    cell = residential_cell(commune)
    past = trained_people(cell, 10, datetime.date(2024, 1, 10))
    for days, c in zip([100, 110, 115, 120, 120, 125, 130, 140], past[:8], strict=True):
        history([c], decided_after_days=days)
    history(past[8:], exit_after_days=30)
    trained_people(cell, 3, TODAY - datetime.timedelta(days=395))
    data = progress_report(cell, YEAR, TODAY).as_json()["forecast"]
    assert data["stalled"] == [{"stage": "trained", "usual_days": 120, "waited_days": [395, 395, 395], "expected": 0}]
    assert data["expected"] == 0
    assert data["by_stage"]["trained"]["stalled"] == 3


def _quota(id_, label, target, achieved, expected_by_now) -> QuotaProgress:
    return QuotaProgress(
        id=id_,
        label=label,
        source="assigned",
        metric="admissions",
        value_kind="exact",
        target=target,
        upper=None,
        carried_over=0,
        achieved=achieved,
        percent=None,
        state="below",
        expected_by_now=expected_by_now,
        needed_per_month=None,
        projection=target,
        base_members=None,
        # A count quota: the share keys of the one quota shape are null (docs/progress-json.md).
        attribute=None,
        out_of=None,
        share=None,
        target_percent=None,
    )


def test_on_pace_but_out_of_reach_says_why_in_one_sentence_per_quota():
    quotas = [
        _quota(1, "Cấp trên giao · Kết nạp đảng viên", 154, 143, 143),
        _quota(2, "Nghị quyết · Kết nạp đảng viên", 154, 143, 143),
    ]
    first, second = reachability(quotas, 4, YEAR.end)
    assert first.text == (
        "Đúng tiến độ so với thời gian đã qua (đến nay cần 143, đã kết nạp 143), nhưng các hồ sơ đang chờ chỉ "
        "đủ cho khoảng 4 người trước 31/12/2026: khó đạt chỉ tiêu 154 (Cấp trên giao · Kết nạp đảng viên), "
        "còn thiếu khoảng 7 người."
    )
    assert first.on_pace and not first.reachable and first.missing == 7
    assert first.text != second.text  # the two quotas of 154 are named, not the same warning twice


def test_behind_pace_and_reachable_sentences_are_in_whole_people():
    behind, reachable = reachability(
        [_quota(1, "Nghị quyết · Kết nạp đảng viên", 10, 2, 8), _quota(2, "Kế hoạch · Kết nạp đảng viên", 5, 2, 4)],
        3,
        YEAR.end,
    )
    assert behind.text == (
        "Khó đạt chỉ tiêu 10 (Nghị quyết · Kết nạp đảng viên): đã kết nạp 2, dự kiến thêm 3 người trước "
        "31/12/2026, còn thiếu khoảng 5 người."
    )
    assert reachable.text == (
        "Có thể đạt chỉ tiêu 5 (Kế hoạch · Kết nạp đảng viên): đã kết nạp 2, dự kiến thêm 3 người trước 31/12/2026."
    )
    assert reachable.missing == 0


@pytest.mark.django_db
def test_admissions_counted_in_the_report_keep_the_forecast_whole():
    cell = residential_cell(org(Level.COMMUNE))
    admit(cell, [datetime.date(2026, 3, 1)])
    data = progress_report(cell, YEAR, TODAY).as_json()["forecast"]
    assert all(isinstance(s["expected"], int) for s in data["by_stage"].values())
