import datetime

import pytest

from members.vocabulary import Level
from reports.progress import periods
from reports.progress.forecast import MIN_HISTORY, StageHistory, forecast
from reports.progress.report import progress_report

from ..builders import org, residential_cell
from ..pipeline_builders import history, trained_people

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)
YEAR = periods.year(2026)


def with_known_history(cell):
    """10 trained in 2025: 8 decided after a median of 120 days, 2 withdrawn."""
    past = trained_people(cell, 10, datetime.date(2025, 1, 10))
    for days, c in zip([100, 110, 115, 120, 120, 125, 130, 140], past[:8], strict=True):
        history([c], decided_after_days=days)
    history(past[8:], exit_after_days=30)


def test_a_unit_with_history_forecasts_from_its_own_conversion():
    commune = org(Level.COMMUNE)
    cell = residential_cell(commune)
    with_known_history(cell)
    trained_people(cell, 5, datetime.date(2026, 5, 20))
    data = progress_report(cell, YEAR, TODAY)
    trained = data.forecast.by_stage["trained"]
    assert trained.as_json() == {
        "candidates": 5,
        "rate": 0.8,
        "median_days": 120.0,
        "counted": 5,
        "expected": 4,
        "borrowed": False,
        "stalled": 0,
    }
    assert data.forecast.expected == 4


def test_a_unit_with_too_little_history_borrows_its_parents():
    commune = org(Level.COMMUNE)
    experienced, newcomer = residential_cell(commune), residential_cell(commune)
    with_known_history(experienced)
    trained_people(newcomer, 5, datetime.date(2026, 5, 20))
    trained = progress_report(newcomer, YEAR, TODAY).forecast.by_stage["trained"]
    assert trained.borrowed is True
    assert trained.expected == 4.0


def test_candidates_who_would_arrive_after_the_period_ends_are_not_counted():
    history_ = {"trained": StageHistory(finished=10, converted=8, median_days_to_decision=120)}
    result = forecast(
        candidates=[("trained", datetime.date(2026, 11, 1))] * 5,
        history=history_,
        parent_history=None,
        today=datetime.date(2026, 11, 20),
        period_end=datetime.date(2026, 12, 31),
    )
    assert result.expected == 0
    assert result.by_stage["trained"].counted == 0


def test_a_stage_short_of_history_everywhere_forecasts_nothing():
    thin = {"trained": StageHistory(finished=MIN_HISTORY - 1, converted=1, median_days_to_decision=10)}
    result = forecast(
        candidates=[("trained", TODAY)], history={}, parent_history=thin, today=TODAY, period_end=YEAR.end
    )
    assert result.expected == 0


def test_the_report_says_plainly_whether_the_quota_is_reachable():
    from ..builders import quota

    commune = org(Level.COMMUNE)
    cell = residential_cell(commune)
    with_known_history(cell)
    trained_people(cell, 5, datetime.date(2026, 5, 20))
    quota(cell, YEAR, 3)
    (statement,) = progress_report(cell, YEAR, TODAY).forecast.reachable
    assert statement.reachable is True
    quota(cell, YEAR, 10, source="assigned")
    statements = {s.quota: s for s in progress_report(cell, YEAR, TODAY).forecast.reachable}
    hard = [s for s in statements.values() if not s.reachable]
    assert hard and "Khó đạt chỉ tiêu 10" in hard[0].text and hard[0].missing == 6
