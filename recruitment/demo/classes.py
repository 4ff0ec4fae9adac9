"""The party-awareness classes each commune ran: one or two a year from three years back to today.

A class lasts a working week; certificates (CN-NTVĐ) come one to three weeks after it ends. A class
that ended so recently that its certificates are not out yet is *open*: its people are still in
the `training` stage. Some communes always have one open class, so the demo shows that stage.
"""

import datetime
import random
from dataclasses import dataclass, field

from members.models import Organisation

from .cells import CellFacts

# Classes are shown from 1 January this many years back (2023 for a 2026 demo).
YEARS_BACK = 3
# Every n-th commune (the login commune first) has a class that started within the last two
# weeks, so the `training` stage is never empty.
OPEN_CLASS_EVERY = 4
# A commune admits some twenty people a year, so most hold one class a year; one with more
# members than this holds two (spring and autumn).
TWO_CLASSES_FROM_MEMBERS = 900
# Days from the last day of the class to the certificates.
CERTIFICATE_AFTER = (7, 21)


@dataclass
class ClassSlot:
    commune: Organisation
    place_title: str  # "xã Thanh Lâm"
    year: int
    number: int  # the class's number in its commune's year
    starts_on: datetime.date
    ends_on: datetime.date
    certificates_on: datetime.date | None  # None while results are not in (an open class)
    # (plan index, passed) in plan order, filled by the planner; None for an open class.
    seats: list[tuple[int, bool | None]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"Lớp bồi dưỡng nhận thức về Đảng khóa {self.number} năm {self.year}"

    @property
    def place(self) -> str:
        return f"Hội trường Đảng ủy {self.place_title}"

    @property
    def is_open(self) -> bool:
        return self.certificates_on is None


class ClassCalendar:
    """Every commune's classes, planned before any candidate so candidates are fitted to them."""

    def __init__(self, cells: list[CellFacts], rng: random.Random, today: datetime.date):
        self.today = today
        self._by_commune: dict[int, list[ClassSlot]] = {}
        communes: dict[int, tuple[Organisation, str, int]] = {}
        for cell in cells:
            org, title, members = communes.get(cell.commune.pk, (cell.commune, cell.place.title, 0))
            communes[cell.commune.pk] = (org, title, members + cell.size)
        for index, (org, title, members) in enumerate(communes.values()):
            per_year = 2 if members > TWO_CLASSES_FROM_MEMBERS else 1
            self._by_commune[org.pk] = self._schedule(
                rng, org, title, per_year, with_open_class=index % OPEN_CLASS_EVERY == 0
            )

    def _schedule(
        self, rng: random.Random, commune: Organisation, title: str, per_year: int, *, with_open_class: bool
    ) -> list[ClassSlot]:
        today = self.today
        # Spring and autumn terms; a commune with one class a year holds it any time from March.
        terms = ((3, 10),) if per_year == 1 else ((3, 5), (8, 11))
        starts: list[datetime.date] = []
        for year in range(today.year - YEARS_BACK, today.year + 1):
            for first, last in terms:
                month = rng.randint(first, last)
                day = _monday_on_or_after(datetime.date(year, month, rng.randint(1, 22)))
                starts.append(day)
        founded = commune.founded_on or datetime.date.min
        if founded > datetime.date(today.year - YEARS_BACK, 1, 1):
            # A commune formed in the 2025 reorganisation runs its first class within months.
            first = _monday_on_or_after(founded + datetime.timedelta(days=rng.randint(60, 120)))
            if first + datetime.timedelta(days=4) <= today and not any(founded < d <= first for d in starts):
                starts.append(first)
        in_session = None
        if with_open_class:
            in_session = _monday_on_or_after(today - datetime.timedelta(days=rng.randint(11, 17)))
            # The open class replaces a class planned for the same weeks or later.
            starts = [d for d in starts if d < in_session - datetime.timedelta(days=60)] + [in_session]
        slots = []
        numbers: dict[int, int] = {}
        for start in sorted(starts):
            end = start + datetime.timedelta(days=4)
            if start <= founded or end > today:
                continue
            certificates = end + datetime.timedelta(days=rng.randint(*CERTIFICATE_AFTER))
            if start == in_session:
                certificates = None
            elif certificates > today:
                continue  # results not in yet and not meant to be shown open: not yet held
            numbers[start.year] = numbers.get(start.year, 0) + 1
            slots.append(ClassSlot(commune, title, start.year, numbers[start.year], start, end, certificates))
        return slots

    def completed(self, commune: Organisation) -> list[ClassSlot]:
        return [s for s in self._by_commune.get(commune.pk, []) if not s.is_open]

    def open(self, commune: Organisation) -> ClassSlot | None:
        return next((s for s in self._by_commune.get(commune.pk, []) if s.is_open), None)

    def latest_completed(
        self, commune: Organisation, *, certificates_by: datetime.date, starting_after: datetime.date
    ) -> ClassSlot | None:
        found = [
            s for s in self.completed(commune) if s.certificates_on <= certificates_by and s.starts_on > starting_after
        ]
        return found[-1] if found else None

    def before(self, slot: ClassSlot) -> ClassSlot | None:
        """The commune's previous completed class: where a candidate who failed once sat first."""
        earlier = [s for s in self.completed(slot.commune) if s.certificates_on < slot.starts_on]
        return earlier[-1] if earlier else None

    def used(self) -> list[ClassSlot]:
        """The classes somebody enrolled in, in the order they were held."""
        slots = [s for slots in self._by_commune.values() for s in slots if s.seats]
        return sorted(slots, key=lambda s: (s.starts_on, s.commune.code))


def _monday_on_or_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)
