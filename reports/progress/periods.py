"""Reporting periods: a term (nhiệm kỳ), a calendar year, a month or a custom range.

A term is named by its two years ("2020-2025") and runs from TERM_START (month, day) of its first
year to the day before the same date of its last year. 1 July is the default because the 2025
reorganisation set up the new commune committees on 1/7/2025 and congresses follow within months.
A term belongs to an organisation: a committee whose congress was on another date records its own
term (members.models.OrganisationTerm), and reports/progress/terms.py resolves the term of a unit
on a day from its own and its ancestors' rows; the functions here are the default.
"""

import calendar
import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings

TERM_YEARS = 5


def term_start() -> tuple[int, int]:
    return getattr(settings, "PARTYHUB_TERM_START", (7, 1))


@dataclass(frozen=True)
class Period:
    kind: str  # "term", "year", "month" or "custom"
    start: datetime.date
    end: datetime.date  # inclusive
    # A term is named by its congress cycle ("2020-2025") even when the organisation's congress fell
    # in the year before or after; None means the start's year.
    first_year: int | None = field(default=None, compare=False)

    @property
    def name_year(self) -> int:
        return self.first_year if self.first_year is not None else self.start.year

    @property
    def key(self) -> str:
        if self.kind == "term":
            return f"{self.name_year}-{self.name_year + TERM_YEARS}"
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        if self.kind == "term":
            return f"Nhiệm kỳ {self.name_year}-{self.name_year + TERM_YEARS}"
        if self.kind == "year":
            return f"Năm {self.start.year}"
        if self.kind == "month":
            return f"Tháng {self.start.month}/{self.start.year}"
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def shifted_years(self, years: int) -> "Period":
        first_year = self.first_year + years if self.first_year is not None else None
        return Period(self.kind, shift_year(self.start, years), shift_year(self.end, years), first_year)


def shift_year(day: datetime.date, years: int) -> datetime.date:
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def term(first_year: int) -> Period:
    month, day = term_start()
    start = datetime.date(first_year, month, day)
    end = datetime.date(first_year + TERM_YEARS, month, day) - datetime.timedelta(days=1)
    return Period("term", start, end, first_year)


def year(y: int) -> Period:
    return Period("year", datetime.date(y, 1, 1), datetime.date(y, 12, 31))


def month(y: int, m: int) -> Period:
    return Period("month", datetime.date(y, m, 1), datetime.date(y, m, calendar.monthrange(y, m)[1]))


def term_containing(day: datetime.date) -> Period:
    month_, day_ = term_start()
    first = day.year if (day.month, day.day) >= (month_, day_) else day.year - 1
    # Terms start on the years of the congress cycle (2020, 2025, 2030 ...).
    first -= (first - 2020) % TERM_YEARS
    return term(first)


class PeriodError(ValueError):
    pass


# The years a report may speak of: from the Party's founding to a horizon far past any quota. Outside
# them a date has no meaning here, and a year-ago comparison of year 1 would not exist.
FIRST_YEAR = 1930
LAST_YEAR = 2100


def _check_years(text: str, *years: int) -> None:
    for y in years:
        if not FIRST_YEAR <= y <= LAST_YEAR:
            raise PeriodError(f"Năm phải từ {FIRST_YEAR} đến {LAST_YEAR} (đã nhập “{text}”).")


def parse(text: str) -> Period:
    """ "2020-2025" (term), "2023" (year), "2023-04" (month), "2023-01-01..2023-06-30" (custom)."""
    text = text.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{4})", text):
        first, last = int(m[1]), int(m[2])
        _check_years(text, first, last)
        if last - first != TERM_YEARS:
            raise PeriodError(f"Nhiệm kỳ phải dài {TERM_YEARS} năm, ví dụ 2020-2025 (đã nhập “{text}”).")
        return term(first)
    if re.fullmatch(r"\d{4}", text):
        _check_years(text, int(text))
        return year(int(text))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        _check_years(text, int(m[1]))
        if not 1 <= int(m[2]) <= 12:
            raise PeriodError(f"Tháng không hợp lệ: “{text}”.")
        return month(int(m[1]), int(m[2]))
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
        try:
            start, end = datetime.date.fromisoformat(m[1]), datetime.date.fromisoformat(m[2])
        except ValueError as error:
            raise PeriodError(f"Ngày không hợp lệ trong “{text}”.") from error
        _check_years(text, start.year, end.year)
        if end < start:
            raise PeriodError(f"Ngày kết thúc trước ngày bắt đầu trong “{text}”.")
        return Period("custom", start, end)
    raise PeriodError(
        f"Không hiểu kỳ báo cáo “{text}”; dùng 2020-2025 (nhiệm kỳ), 2023 (năm), 2023-04 (tháng) "
        "hoặc 2023-01-01..2023-06-30."
    )
