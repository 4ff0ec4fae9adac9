"""The breakdown of new members as in Biểu 2-BTCTW ("Thống kê đảng viên mới kết nạp").

Rows: total, women, ethnic minorities, religious followers, Youth Union members, private business
owners, re-admitted; then occupation, age band (with the average age), general education and
professional training. Columns: this period, each row's share of the period's total ("Tỷ lệ trong
tổng số"), the same period last year, and this period as % of last year ("So với cùng kỳ").
"""

from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from operator import attrgetter

from members.vocabulary import GeneralEducation, Occupation, ProfessionalTraining
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
    return _band_of(age_at_admission(a))


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


# The rows that compare one field with one value (the occupations, the levels of education and of training)
# are counted in one pass over the field, not one pass per value: field -> ((value, row key), ...). Every
# other row is tested one by one; an admission falls in exactly one age band, found once from its age.
# (The occupations' rows are reports/attributes.py's `a.occupation == value`: tests/reports/progress/
# test_cold_fast_paths.py compares these counts with every row's own test.)
_OCCUPATIONS = tuple((value, f"occupation:{value}") for value, _label in Occupation.choices)
_BY_VALUE: dict[str, tuple[tuple[str, str], ...]] = {
    "occupation": _OCCUPATIONS,
    "education": tuple((value, f"education:{value}") for value, _label in GeneralEducation.choices),
    "training": tuple((value, f"training:{value}") for value, _label in ProfessionalTraining.choices),
}
_VALUE_KEYS = {key for pairs in _BY_VALUE.values() for _value, key in pairs}
_TESTED = [(key, test) for key, _label, test in ROWS if not key.startswith("age:") and key not in _VALUE_KEYS]


def _ages(admissions: Iterable[Admission]) -> list[int]:
    return [_age(a.birth_date, a.date) for a in admissions]


def _band_of(age: int) -> str:
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return "over_60" if age > 60 else "under_18"


def _counts(admissions: Iterable[Admission], ages: list[int] | None = None) -> Counter:
    """Each row's count among `admissions` (the rows with none left out); `ages`: theirs, if known."""
    admissions = admissions if isinstance(admissions, list | tuple) else list(admissions)
    counts: Counter = Counter()
    if not admissions:
        return counts
    for key, test in _TESTED:  # each test over every admission, the loop in C (filter)
        n = len(list(filter(test, admissions)))
        if n:
            counts[key] = n
    for field, pairs in _BY_VALUE.items():
        # By distinct value, each compared with ==, as the row's test compares each admission's.
        for value, n in Counter(map(attrgetter(field), admissions)).items():
            for choice, key in pairs:
                if value == choice:
                    counts[key] += n
    for age, n in Counter(_ages(admissions) if ages is None else ages).items():
        band = _band_of(age)
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


def _average_age(admissions: list[Admission], ages: list[int] | None = None) -> str | None:
    if not admissions:
        return None
    return f"{sum(_ages(admissions) if ages is None else ages) / len(admissions):.1f}"


def breakdown(this_period: list[Admission], last_year: list[Admission], compared_with: DateSpan) -> Breakdown:
    """`last_year`: the admissions of `compared_with`, the same stretch of the earlier period."""
    ages_now, ages_before = _ages(this_period), _ages(last_year)  # each admission's age, once
    now, before = _counts(this_period, ages_now), _counts(last_year, ages_before)
    return Breakdown(
        rows=_rows(frozenset(now.items()), frozenset(before.items())),
        average_age=_average_age(this_period, ages_now),
        average_age_last=_average_age(last_year, ages_before),
        compared_with=compared_with,
    )
