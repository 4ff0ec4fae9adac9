"""The arithmetic of quotas: targets, percent achieved, range state, pace and projection.

Percent is shown to one decimal, rounded half up (29 of 35 → 82.9%); a rate quota is rounded up to
a whole person ("at least 3%" of 5,650 members is 170 people, not 169.5).

Every other figure counted in people (the straight pace, the projection, the forecast, what is
missing) goes through `whole_people`: one rounding, to the nearest whole person, half up, after
dropping float noise (3.000001 is 3 people, not 4: below 0.00001). `up=True` rounds up instead, for "at least"
figures (how many more people must enter a class).
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from ..vocabulary import RangeState

ONE_DECIMAL = Decimal("0.1")
NOISE = Decimal("0.00001")  # below a hundred-thousandth of a person is float noise, not a person


def whole_people(value: float | int | Decimal, *, up: bool = False) -> int:
    """A number of people as a whole, never negative: nearest (half up), or `up` to the next whole."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    exact = exact.quantize(NOISE, rounding=ROUND_HALF_UP)
    whole = int(exact.to_integral_value(rounding=ROUND_CEILING if up else ROUND_HALF_UP))
    return max(whole, 0)


def percent(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def rate_target(rate_percent: Decimal, base_members: int) -> int:
    return int((Decimal(rate_percent) * base_members / 100).to_integral_value(rounding=ROUND_CEILING))


def range_state(achieved: int, lower: int, upper: int | None) -> str:
    if achieved < lower:
        return RangeState.BELOW
    if upper is None:
        return RangeState.REACHED if achieved == lower else RangeState.ABOVE
    if achieved <= upper:
        return RangeState.WITHIN
    return RangeState.ABOVE


@dataclass(frozen=True)
class Pace:
    elapsed_days: int
    total_days: int
    expected_by_now: int  # where a steady pace to the target would be today
    needed_per_month: Decimal | None  # what the rest of the period needs each month
    projection: int  # where the current pace ends


def pace(*, achieved: int, target: int, start: datetime.date, end: datetime.date, today: datetime.date) -> Pace:
    total = (end - start).days + 1
    elapsed = min(max((today - start).days + 1, 0), total)
    expected = whole_people(Decimal(target) * elapsed / total) if total else 0
    remaining_days = total - elapsed
    remaining_months = Decimal(remaining_days) / Decimal("30.4375")
    needed = None
    if remaining_months > 0:
        needed = (Decimal(max(target - achieved, 0)) / remaining_months).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
    projection = achieved if elapsed == 0 else whole_people(Decimal(achieved) * total / elapsed)
    return Pace(elapsed, total, expected, needed, projection)
