"""When the digest goes out: the first working day of each month.

The working-day calendar is the pipeline's (recruitment/working_days.py): weekends, public holidays
such as 1 January and Tết, and the make-up Saturdays. Beat runs the task every day at 07:00; the task
asks `is_digest_day` and does nothing on the other days, so a month's edition starts exactly once
however the holidays fall.
"""

import datetime

from recruitment.working_days import add_working_days, is_working_day


def first_working_day(year: int, month: int) -> datetime.date:
    first = datetime.date(year, month, 1)
    return first if is_working_day(first) else add_working_days(first, 1)


def is_digest_day(day: datetime.date) -> bool:
    return day == first_working_day(day.year, day.month)


def edition(day: datetime.date) -> datetime.date:
    """The month (its first day) whose digest is sent on `day`'s month."""
    return day.replace(day=1)


def reported_month(edition_month: datetime.date) -> datetime.date:
    """The month the edition reports on: the one before it (its first day)."""
    return (edition_month - datetime.timedelta(days=1)).replace(day=1)
