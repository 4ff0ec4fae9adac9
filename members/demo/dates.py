"""The calendar of the demo province.

Every date is drawn relative to `timezone.localdate()` (passed in as `today`), never the wall
clock, so a test can freeze time and a date can never land in the future.
"""

import datetime
import random

# Quy định 294-QĐ/TW: districts were abolished and communes merged on this day.
REORGANISATION_DAY = datetime.date(2025, 7, 1)
# Member movements other than admissions (transfers, deaths, exits) are recorded from here on;
# older admissions are still on the rolls as `admitted` movements so counts stay computable.
MOVEMENTS_FROM = datetime.date(2020, 1, 1)
# The oldest members on today's rolls; members are admitted between 18 and 60.
OLDEST_BIRTH = datetime.date(1950, 1, 1)
ADMISSION_AGE_MIN = 18
ADMISSION_AGE_MAX = 60
# The probation a new member serves before recognition (Điều lệ Đảng, Điều 5).
PROBATION_DAYS = 365


def random_day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    """A day in [start, end], both included."""
    span = (end - start).days
    return start + datetime.timedelta(days=rng.randint(0, max(span, 0)))


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
