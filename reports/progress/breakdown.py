"""The breakdown of new members as in Biểu 2-BTCTW ("Thống kê đảng viên mới kết nạp").

Rows: total, women, ethnic minorities, religious followers, Youth Union members, private business
owners, re-admitted; then occupation, age band (with the average age), general education and
professional training. Columns: this period, the same period last year, and this as % of last.
"""

from collections import Counter
from collections.abc import Callable, Iterable

from members.vocabulary import GeneralEducation, Occupation, ProfessionalTraining
from recruitment.rules import age_in_months

from ..quotas.arithmetic import percent
from .admissions import Admission
from .shape import Breakdown, BreakdownRow, DateSpan

MAJORITY_ETHNICITY = "Kinh"
AGE_BANDS = [(18, 30), (31, 35), (36, 40), (41, 45), (46, 50), (51, 55), (56, 60)]


def age_at_admission(a: Admission) -> int:
    return age_in_months(a.birth_date, a.date) // 12


def _age_band(a: Admission) -> str:
    age = age_at_admission(a)
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return "over_60" if age > 60 else "under_18"


ROWS: list[tuple[str, str, Callable[[Admission], bool]]] = [
    ("total", "Tổng số", lambda a: True),
    ("women", "Nữ", lambda a: a.gender == "female"),
    ("ethnic_minority", "Dân tộc thiểu số", lambda a: bool(a.ethnicity) and a.ethnicity != MAJORITY_ETHNICITY),
    ("religious", "Có đạo", lambda a: bool(a.religion) and a.religion.lower() != "không"),
    ("youth_union", "Đoàn viên", lambda a: a.youth_union),
    ("business_owner", "Chủ doanh nghiệp tư nhân", lambda a: a.business_owner),
    ("readmitted", "Kết nạp lại", lambda a: a.readmitted),
]


def _field_is(attribute: str, value: str) -> Callable[[Admission], bool]:
    return lambda a: getattr(a, attribute) == value


def _band_is(band: str) -> Callable[[Admission], bool]:
    return lambda a: _age_band(a) == band


ROWS += [(f"occupation:{v}", str(label), _field_is("occupation", v)) for v, label in Occupation.choices]
ROWS += [(f"age:{lo}-{hi}", f"Tuổi {lo}-{hi}", _band_is(f"{lo}-{hi}")) for lo, hi in AGE_BANDS]
ROWS += [("age:over_60", "Trên 60 tuổi", _band_is("over_60"))]
ROWS += [(f"education:{v}", str(label), _field_is("education", v)) for v, label in GeneralEducation.choices]
ROWS += [(f"training:{v}", str(label), _field_is("training", v)) for v, label in ProfessionalTraining.choices]


def _counts(admissions: Iterable[Admission]) -> Counter:
    counts: Counter = Counter()
    for a in admissions:
        for key, _label, test in ROWS:
            if test(a):
                counts[key] += 1
    return counts


def _average_age(admissions: list[Admission]) -> str | None:
    if not admissions:
        return None
    return f"{sum(age_at_admission(a) for a in admissions) / len(admissions):.1f}"


def breakdown(this_period: list[Admission], last_year: list[Admission], compared_with: DateSpan) -> Breakdown:
    """`last_year`: the admissions of `compared_with`, the same stretch of the earlier period."""
    now, before = _counts(this_period), _counts(last_year)
    rows = []
    for key, label, _test in ROWS:
        pct = percent(now[key], before[key])
        rows.append(BreakdownRow(key, label, now[key], before[key], str(pct) if pct else None))
    return Breakdown(
        rows=tuple(rows),
        average_age=_average_age(this_period),
        average_age_last=_average_age(last_year),
        compared_with=compared_with,
    )
