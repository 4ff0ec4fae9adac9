"""The subtree roll-ups of the one pass (province.py) equal the per-unit sums they replace."""

import bisect
import datetime
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from recruitment.rules import age_in_months
from reports.progress.breakdown import _age, _counts, _rows, breakdown
from reports.progress.forecast import StageHistory
from reports.progress.province import _DatedCounts, _outermost, _SubtreeCounts, _upper
from reports.progress.shape import DateSpan

# Paths of a small tree: two characters a level, up to three levels.
PATHS = sorted({p[: 2 * k] for p in ("AAAAAA", "AAAAAB", "AAABAA", "AAAC", "ABAAAA", "ABAB", "AC") for k in (1, 2, 3)})
DAY0 = datetime.date(2024, 1, 1)

rows = st.lists(
    st.tuples(
        st.sampled_from(PATHS), st.integers(0, 800).map(lambda n: DAY0 + datetime.timedelta(days=n)), st.integers(-3, 5)
    ),
    max_size=60,
)


def under(prefixes):
    found = set()
    for prefix in prefixes:
        lo, hi = bisect.bisect_left(PATHS, prefix), bisect.bisect_left(PATHS, _upper(prefix))
        found.update(PATHS[lo:hi])
    return sorted(found)


@settings(max_examples=150, deadline=None)
@given(
    data=rows,
    prefixes=st.lists(st.sampled_from(PATHS), min_size=1, max_size=4),
    start=st.integers(-10, 820),
    length=st.integers(0, 400),
)
def test_the_rolled_up_counts_equal_the_sum_over_each_unit(data, prefixes, start, length):
    dated = _DatedCounts.of(data)
    rolled = _SubtreeCounts(dated, under)
    first = DAY0 + datetime.timedelta(days=start)
    last = first + datetime.timedelta(days=length)
    units = under(prefixes)
    assert rolled.up_to(prefixes, last) == sum(dated.up_to(p, last) for p in units)
    assert rolled.between(prefixes, first, last) == sum(dated.between(p, first, last) for p in units)
    by_hand = sum(n for p, day, n in data if p in units and first <= day <= last)
    assert rolled.between(prefixes, first, last) == by_hand
    assert under(_outermost(prefixes)) == units and len(set(_outermost(prefixes))) == len(_outermost(prefixes))


def test_outermost_drops_the_prefixes_under_another():
    assert _outermost(["AAAA", "AA", "AB", "AA", "ABAB"]) == ["AA", "AB"]


def test_the_shared_rows_are_the_rows_counted():
    """The rows built from the non-zero counts equal the rows counted without the shortcut."""
    counts = Counter({"total": 3, "women": 2, "age:18-30": 1})
    before = Counter({"total": 1, "women": 1})
    rows = _rows(frozenset(counts.items()), frozenset(before.items()))
    by_key = {row.key: row for row in rows}
    assert (by_key["total"].this, by_key["total"].last, by_key["total"].vs_last_pct) == (3, 1, "300.0")
    assert (by_key["women"].this, by_key["women"].share_of_total) == (2, "66.7")
    assert by_key["readmitted"].this == 0 and by_key["readmitted"].share_of_total == "0.0"
    empty = breakdown([], [], DateSpan(DAY0, DAY0))
    assert all(row.this == 0 and row.share_of_total is None for row in empty.rows)
    assert _counts([]) == Counter()


def after_waiting_by_hand(outcomes, waited, days_left):
    still_waiting = [(days, decided) for days, decided in outcomes if days >= waited]
    if not still_waiting:
        return 0, None
    decided = sum(1 for days, d in still_waiting if d and days <= waited + days_left)
    return len(still_waiting), decided / len(still_waiting)


@settings(max_examples=300, deadline=None)
@given(
    outcomes=st.lists(st.tuples(st.integers(0, 60), st.booleans()), max_size=40),
    waited=st.integers(0, 70),
    days_left=st.integers(0, 70),
)
def test_after_waiting_bisects_to_the_same_answer_as_scanning(outcomes, waited, days_left):
    history = StageHistory(finished=len(outcomes), converted=0, median_days_to_decision=None, outcomes=tuple(outcomes))
    assert history.after_waiting(waited, days_left) == after_waiting_by_hand(outcomes, waited, days_left)
    assert history.after_waiting(waited, days_left) == after_waiting_by_hand(outcomes, waited, days_left)  # cached


@settings(max_examples=400, deadline=None)
@given(
    birth=st.dates(datetime.date(1940, 1, 1), datetime.date(2010, 12, 31)),
    later=st.integers(0, 80 * 366),
)
def test_the_age_in_years_is_the_months_counted_over_twelve(birth, later):
    on = birth + datetime.timedelta(days=later)
    assert _age(birth, on) == age_in_months(birth, on) // 12
    leap = datetime.date(2004, 2, 29)
    for year in (2022, 2023, 2024, 2025):
        for day in (27, 28):
            assert _age(leap, datetime.date(year, 2, day)) == age_in_months(leap, datetime.date(year, 2, day)) // 12
        assert _age(leap, datetime.date(year, 3, 1)) == age_in_months(leap, datetime.date(year, 3, 1)) // 12
