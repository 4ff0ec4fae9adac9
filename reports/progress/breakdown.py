"""The breakdown of new members as in Biểu 2-BTCTW ("Thống kê đảng viên mới kết nạp").

Rows: total, women, ethnic minorities, religious followers, Youth Union members, private business
owners, re-admitted; then occupation, age band (with the average age), general education and
professional training. Columns: this period, each row's share of the period's total ("Tỷ lệ trong
tổng số"), the same period last year, and this period as % of last year ("So với cùng kỳ").
"""

from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache

from members.vocabulary import GeneralEducation, ProfessionalTraining
from recruitment.rules import age_in_months

from ..attributes import ATTRIBUTES
from ..quotas.arithmetic import percent
from .admissions import Admission
from .shape import Breakdown, BreakdownRow, DateSpan

AGE_BANDS = [(18, 30), (31, 35), (36, 40), (41, 45), (46, 50), (51, 55), (56, 60)]


def age_at_admission(a: Admission) -> int:
    return _age(a.birth_date, a.date)


def _age(birth_date, on) -> int:
    """Whole years on a day, as `age_in_months(birth_date, on) // 12` counts them: the years between, less
    one before the birthday. Someone born on 29/02 (whose birthday a common year moves to 28/02) or
    dated before birth goes through `age_in_months` itself (tests/reports/progress/test_province_rollup.py)."""
    if on < birth_date or (birth_date.month == 2 and birth_date.day == 29):
        return age_in_months(birth_date, on) // 12
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def _age_band(a: Admission) -> str:
    age = age_at_admission(a)
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return "over_60" if age > 60 else "under_18"


ROWS: list[tuple[str, str, Callable[[Admission], bool]]] = [("total", "Tổng số", lambda a: True)]
# Women … re-admitted and the occupations: the attribute table the share quotas read (reports/attributes.py).
ROWS += [(attr.key, attr.label, attr.test) for attr in ATTRIBUTES if attr.in_breakdown]


def _field_is(attribute: str, value: str) -> Callable[[Admission], bool]:
    return lambda a: getattr(a, attribute) == value


def _band_is(band: str) -> Callable[[Admission], bool]:
    return lambda a: _age_band(a) == band


ROWS += [(f"age:{lo}-{hi}", f"Tuổi {lo}-{hi}", _band_is(f"{lo}-{hi}")) for lo, hi in AGE_BANDS]
ROWS += [("age:over_60", "Trên 60 tuổi", _band_is("over_60"))]
ROWS += [(f"education:{v}", str(label), _field_is("education", v)) for v, label in GeneralEducation.choices]
ROWS += [(f"training:{v}", str(label), _field_is("training", v)) for v, label in ProfessionalTraining.choices]


# The rows tested one by one; an admission falls in exactly one age band, found once.
_TESTED = [(key, test) for key, _label, test in ROWS if not key.startswith("age:")]


def _counts(admissions: Iterable[Admission]) -> Counter:
    admissions = admissions if isinstance(admissions, list | tuple) else list(admissions)
    counts: Counter = Counter()
    if not admissions:
        return counts
    for key, test in _TESTED:  # each test over every admission, the loop in C (filter)
        n = len(list(filter(test, admissions)))
        if n:
            counts[key] = n
    for band, n in Counter(map(_age_band, admissions)).items():
        if band != "under_18":
            counts[f"age:{band}"] += n
    return counts


@lru_cache(maxsize=65536)
def _row(key: str, label: str, this: int, last: int, total: int) -> BreakdownRow:
    """One row from its counts: a province pass builds ~40 rows a report, most of them the same few (zeros),
    so a row is built once per distinct counts and shared (rows are frozen)."""
    vs_last = percent(this, last)
    of_total = percent(this, total)
    return BreakdownRow(
        key,
        label,
        this,
        last,
        str(vs_last) if vs_last else None,
        str(of_total) if of_total is not None else None,
    )


@lru_cache(maxsize=16384)
def _rows(now_items: frozenset, before_items: frozenset) -> tuple[BreakdownRow, ...]:
    """Every row from the two periods' non-zero counts: most units of a pass have none or the same few."""
    now, before = Counter(dict(now_items)), Counter(dict(before_items))
    total = now["total"]
    return tuple(_row(key, label, now[key], before[key], total) for key, label, _test in ROWS)


def _average_age(admissions: list[Admission]) -> str | None:
    if not admissions:
        return None
    return f"{sum(age_at_admission(a) for a in admissions) / len(admissions):.1f}"


def breakdown(this_period: list[Admission], last_year: list[Admission], compared_with: DateSpan) -> Breakdown:
    """`last_year`: the admissions of `compared_with`, the same stretch of the earlier period."""
    now, before = _counts(this_period), _counts(last_year)
    return Breakdown(
        rows=_rows(frozenset(now.items()), frozenset(before.items())),
        average_age=_average_age(this_period),
        average_age_last=_average_age(last_year),
        compared_with=compared_with,
    )
