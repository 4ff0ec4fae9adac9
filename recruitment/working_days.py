"""Vietnamese working days: Monday to Friday minus public holidays (Tết included), plus the
Saturdays the government declares as make-up working days.

The calendar comes from the `holidays` package, never from hand-written lunar dates. Each year is
turned once into a sorted tuple of working-day ordinals, so counting and stepping are bisections
rather than day-by-day walks with a holiday lookup per day.

Conventions, chosen so that deadlines read the way the regulations do ("trong thời hạn N ngày làm
việc kể từ ngày ..."): the start day itself is never counted.
"""

import datetime
from bisect import bisect_left, bisect_right
from functools import lru_cache

import holidays

COUNTRY = "VN"


@lru_cache(maxsize=256)
def _holiday_calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(COUNTRY, years=year, language="vi")


@lru_cache(maxsize=256)
def _working_ordinals(year: int) -> tuple[int, ...]:
    calendar = _holiday_calendar(year)
    # The package's weekend_workdays also carries a few dates of other years; keep this year's.
    makeup_saturdays = {d for d in calendar.weekend_workdays if d.year == year}
    day = datetime.date(year, 1, 1)
    end = datetime.date(year, 12, 31)
    ordinals = []
    while day <= end:
        if day in makeup_saturdays or (day.weekday() < 5 and day not in calendar):
            ordinals.append(day.toordinal())
        day += datetime.timedelta(days=1)
    return tuple(ordinals)


def is_working_day(d: datetime.date) -> bool:
    ordinals = _working_ordinals(d.year)
    i = bisect_left(ordinals, d.toordinal())
    return i < len(ordinals) and ordinals[i] == d.toordinal()


def holiday_name(d: datetime.date) -> str | None:
    """The Vietnamese name of the public holiday on `d`, if any (for messages)."""
    return _holiday_calendar(d.year).get(d)


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `start` (before it when n is negative); `start` itself for 0.

    `start` need not be a working day: the first working day after a Saturday is Monday.
    """
    if n == 0:
        return start
    year = start.year
    if n > 0:
        ordinals = _working_ordinals(year)
        remaining = n
        index = bisect_right(ordinals, start.toordinal()) + remaining - 1
        while index >= len(ordinals):
            remaining = index - len(ordinals) + 1
            year += 1
            ordinals = _working_ordinals(year)
            index = remaining - 1
        return datetime.date.fromordinal(ordinals[index])
    ordinals = _working_ordinals(year)
    index = bisect_left(ordinals, start.toordinal()) + n
    while index < 0:
        year -= 1
        ordinals = _working_ordinals(year)
        index += len(ordinals)
    return datetime.date.fromordinal(ordinals[index])


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end`.

    So `working_days_between(start, add_working_days(start, n)) == n`. When `end` is before
    `start` the count is negative: minus the working days from `end` up to but excluding `start`.
    """
    if end < start:
        return -_count_in_half_open(end.toordinal() - 1, start.toordinal() - 1)
    return _count_in_half_open(start.toordinal(), end.toordinal())


def _count_in_half_open(after: int, upto: int) -> int:
    """Working days with ordinal in (after, upto]."""
    if upto <= after:
        return 0
    first_year = datetime.date.fromordinal(after).year
    last_year = datetime.date.fromordinal(upto).year
    total = 0
    for year in range(first_year, last_year + 1):
        ordinals = _working_ordinals(year)
        total += bisect_right(ordinals, upto) - bisect_right(ordinals, after)
    return total
