"""Who sits in which cell, admitted when, and what happened to them from 2020 to today.

Each member is drawn for the cell they belong to at the end (their *final* cell). From that follow
the cell they were admitted in (a predecessor of a cell founded in the 2025 reorganisation, or the
cell they later transferred from) and at most one later event: a transfer inside the province or
an exit (death, transfer out of the province, striking off, expulsion).

Persons, members and their `admitted` movements are written with bulk inserts; the later events
are then replayed in date order through `members.services`, with the reorganisation carried out
when the replay reaches 1 July 2025, so every transfer and exit is recorded exactly as the
application itself records it.
"""

import bisect
import datetime
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from simple_history.utils import bulk_create_with_history

from ..models import Member, MemberMovement, Person
from ..services import member_record_exit, member_transfer
from ..vocabulary import Level, MemberStatus, MovementKind
from .dates import (
    ADMISSION_AGE_MAX,
    MOVEMENTS_FROM,
    OLDEST_BIRTH,
    REORGANISATION_DAY,
    add_years,
    age_on,
    random_day,
)
from .people import PROFILES, Ages, PersonFactory
from .province import CellPlan, founding_day
from .summary import format_number

# Rows per INSERT; Django lowers it further to SQLite's bound on query parameters.
BATCH = 1000
# A grassroots cell (chi bộ cơ sở) has fewer than 30 members; more would make it a committee.
GRASSROOTS_CELL_CAP = 29
HISTORY_REASON = "Dữ liệu mẫu (load_demo)"

# --- sizes of the rolls -----------------------------------------------------------------------


def allocate(cells: list[CellPlan], total: int, rng: random.Random) -> list[int]:
    """Split `total` members over the cells by each profile's typical roll size.

    Largest-remainder rounding keeps the sum exact; grassroots cells are capped first and the
    rest shared among the others.
    """
    weights = [rng.randint(*PROFILES[c.kind].roll) * c.size_factor for c in cells]
    capped = {i for i, c in enumerate(cells) if c.org.level == Level.GRASSROOTS_CELL}
    counts = [0.0] * len(cells)
    remaining, free = float(total), [i for i in range(len(cells)) if i not in capped]
    share = remaining / max(sum(weights), 1)
    for i in sorted(capped):
        counts[i] = min(GRASSROOTS_CELL_CAP, weights[i] * share)
        remaining -= counts[i]
    free_weight = sum(weights[i] for i in free) or 1
    for i in free:
        counts[i] = weights[i] * remaining / free_weight
    floors = [math.floor(x) for x in counts]
    short = total - sum(floors)
    by_remainder = sorted(range(len(cells)), key=lambda i: (floors[i] - counts[i], i))
    for i in by_remainder[: max(short, 0)]:
        floors[i] += 1
    return floors


# --- admission dates and ages -----------------------------------------------------------------

# (youngest admission age, mean years above it): most new members are in their twenties, as the
# reports say ("độ tuổi 18-30 chiếm trên 70 %"), with a long tail up to 60.
_AGE_RULES = {
    Ages.RESIDENTIAL: (18, 9.0),
    Ages.WORKING: (21, 6.5),
    Ages.ARMED: (19, 4.5),
}


class AdmissionDrawer:
    """Draws (admission decision date, date of birth) pairs for a cell.

    Admission years are weighted so that roughly 2.5-3 % of the roll is admitted each recent
    year, as the provinces report, with fewer survivors of the early decades. Working members are
    of working age today (born at most 60 years ago); nobody is older than born in 1950 or younger
    than 20 (an 18-year-old pupil in a high-school cell aside).
    """

    def __init__(self, rng: random.Random, today: datetime.date, *, recent_weight: float = 1.2):
        self.rng = rng
        self.today = today
        # How much likelier an admission year from 2015 on is than an older one (generate_scale
        # lowers it to 0.9 for about 2.5 % of the roll a year; the demo keeps its 1.2).
        self.recent_weight = recent_weight
        self._years: dict[tuple[str, int], tuple[list[int], list[float]]] = {}

    def _birth_bounds(self, ages: str) -> tuple[int, int]:
        oldest = {
            Ages.RESIDENTIAL: OLDEST_BIRTH.year,
            Ages.WORKING: self.today.year - 60,
            Ages.ARMED: self.today.year - 50,
        }[ages]
        return oldest, self.today.year - 20

    def _year_table(self, ages: str, first_year: int) -> tuple[list[int], list[float]]:
        key = (ages, first_year)
        if key not in self._years:
            years = list(range(first_year, self.today.year + 1))
            weights = []
            for y in years:
                w = 0.35 + 0.65 * min(1.0, (y - 1968) / 32) if ages == Ages.RESIDENTIAL else 1.0
                if y >= 2015:
                    w *= self.recent_weight
                if y == self.today.year:
                    w *= self.today.timetuple().tm_yday / 365
                weights.append(w)
            self._years[key] = (years, list(itertools.accumulate(weights)))
        return self._years[key]

    def draw(self, ages: str, earliest: datetime.date) -> tuple[datetime.date, datetime.date]:
        rng = self.rng
        youngest_age, mean_above = _AGE_RULES[ages]
        birth_lo, birth_hi = self._birth_bounds(ages)
        first_year = min(max(earliest.year, birth_lo + youngest_age), self.today.year)
        years, cumulative = self._year_table(ages, first_year)
        while True:
            year = years[bisect.bisect_left(cumulative, rng.random() * cumulative[-1])]
            admitted = random_day(
                rng, max(datetime.date(year, 1, 1), earliest), min(datetime.date(year, 12, 31), self.today)
            )
            low = max(youngest_age, year - birth_hi)
            high = min(ADMISSION_AGE_MAX, year - birth_lo - 1)
            if low > high:
                continue
            age = round(youngest_age + rng.gammavariate(2.0, mean_above / 2))
            if not low <= age <= high:
                # Early years (born 1950, admitted by 1970) only allow young ages: draw among those.
                age = rng.randint(low, high)
            born = add_years(admitted, -age) - datetime.timedelta(days=rng.randint(1, 364))
            if born >= OLDEST_BIRTH and born.year <= birth_hi and age_on(born, admitted) >= 18:
                return admitted, born


# --- events after admission -------------------------------------------------------------------

# Yearly chance of each exit by age today; deaths weigh on the old village members.
_DEATH_BY_AGE = ((80, 0.06), (70, 0.025), (60, 0.01), (50, 0.004), (0, 0.001))
_STRUCK_OFF = 0.0006
_EXPELLED = 0.0002
_LEAVES_PROVINCE = {Ages.RESIDENTIAL: 0.0015, Ages.WORKING: 0.004, Ages.ARMED: 0.006}
_MOVES_WITHIN = {Ages.RESIDENTIAL: 0.003, Ages.WORKING: 0.005, Ages.ARMED: 0.008}
_TRANSFER = "transfer"
_NOTES = {
    MovementKind.DIED: "Từ trần",
    MovementKind.TRANSFERRED_OUT: "Chuyển sinh hoạt đảng chính thức ra ngoài tỉnh",
    MovementKind.STRUCK_OFF: "Xóa tên trong danh sách đảng viên (bỏ sinh hoạt đảng không có lý do)",
    MovementKind.EXPELLED: "Khai trừ ra khỏi Đảng (vi phạm Điều lệ Đảng)",
    "moved_home": "Chuyển sinh hoạt đảng do thay đổi nơi cư trú",
    "moved_job": "Chuyển sinh hoạt đảng do điều động, thay đổi nơi công tác",
}


@dataclass
class Event:
    day: datetime.date
    kind: str  # _TRANSFER or an outgoing MovementKind
    member: Member
    to_cell: CellPlan | None = None
    note: str = ""


@dataclass
class Rolls:
    members: list[Member]
    events: list[Event]


def _death_rate(age: int) -> float:
    return next(rate for threshold, rate in _DEATH_BY_AGE if age >= threshold)


class RollBuilder:
    def __init__(self, *, people: PersonFactory, rng: random.Random, today: datetime.date):
        self.people = people
        self.rng = rng
        self.today = today
        self.admissions = AdmissionDrawer(rng, today)

    def enrol(self, cells: list[CellPlan], total: int, progress: Callable[[str], None]) -> Rolls:
        counts = allocate(cells, total, self.rng)
        stable_by_group: dict[str, list[CellPlan]] = {}
        for cell in cells:
            if cell.stable:
                stable_by_group.setdefault(self._group(cell), []).append(cell)
        persons: list[Person] = []
        members: list[Member] = []
        events: list[Event] = []
        for cell, count in zip(cells, counts, strict=True):
            for _ in range(count):
                person, member, event = self._one(cell, stable_by_group)
                persons.append(person)
                members.append(member)
                if event:
                    events.append(event)
        self._number_cards(members)
        progress(f"  … {format_number(len(persons))} hồ sơ đảng viên đã tạo trong bộ nhớ, đang ghi vào cơ sở dữ liệu")
        # bulk_create_with_history, not plain bulk_create: every demo record then has the
        # "created" entry the audit trail shows for real records. It doubles the rows written and
        # costs about 6 s at full size on SQLite here (17 s for the whole build against 10 s),
        # well inside the budget. The database returns primary keys on insert (SQLite 3.35+,
        # PostgreSQL), so simple_history needs no re-query to match history rows to objects.
        bulk_create_with_history(persons, Person, batch_size=BATCH, default_change_reason=HISTORY_REASON)
        for member, person in zip(members, persons, strict=True):
            member.person = person
        bulk_create_with_history(members, Member, batch_size=BATCH, default_change_reason=HISTORY_REASON)
        admitted: list[MemberMovement] = []
        for m in members:
            assert m.admission_decision_date is not None  # every drawn member is given one above
            admitted.append(
                MemberMovement(
                    member=m,
                    kind=MovementKind.ADMITTED,
                    date=m.admission_decision_date,
                    organisation_id=m.cell_id,
                    note="Kết nạp lại" if m.is_readmitted else "",
                )
            )
        bulk_create_with_history(admitted, MemberMovement, batch_size=BATCH, default_change_reason=HISTORY_REASON)
        events.sort(key=lambda e: (e.day, e.member.pk))
        return Rolls(members=members, events=events)

    @staticmethod
    def _group(cell: CellPlan) -> str:
        """Members move between cells of one sector: village to village, agency to agency."""
        return PROFILES[cell.kind].sector

    def _one(self, cell: CellPlan, stable_by_group: dict[str, list[CellPlan]]):
        rng, today = self.rng, self.today
        profile = PROFILES[cell.kind]
        admitted, born = self.admissions.draw(profile.ages, cell.earliest_admission)
        pupil = False
        if profile.pupil_share and add_years(admitted, 1) > today and rng.random() < profile.pupil_share:
            # High schools admit outstanding pupils of 18 in their final year.
            pupil = True
            born = add_years(admitted, -18) - datetime.timedelta(days=rng.randint(1, 300))
        person = self.people.person(
            kind=cell.kind, commune=cell.commune, born=born, gender=self.people.gender(profile), pupil=pupil
        )
        admitted_in = cell.org
        if cell.predecessors and admitted < founding_day(cell.org):
            admitted_in = rng.choice([p for p in cell.predecessors if founding_day(p) <= admitted])

        member = Member(cell=admitted_in, admission_decision_date=admitted, is_readmitted=rng.random() < 0.003)
        event = None
        window_start = max(MOVEMENTS_FROM, admitted + datetime.timedelta(days=60))
        years = max((today - window_start).days, 0) / 365
        if cell.stable and years and rng.random() < _MOVES_WITHIN[profile.ages] * years:
            day = random_day(rng, window_start, today)
            sources = [
                c
                for c in stable_by_group.get(self._group(cell), ())
                if c is not cell and founding_day(c.org) <= admitted
            ]
            if sources:
                member.cell = rng.choice(sources).org
                note = _NOTES["moved_home" if cell.is_residential else "moved_job"]
                event = Event(day=day, kind=_TRANSFER, member=member, to_cell=cell, note=note)
        if event is None:
            event = self._exit(member, profile.ages, age_on(born, today), admitted)

        left_on = event.day if event and event.kind != _TRANSFER else None
        self._set_status(member, admitted, left_on)
        return person, member, event

    def _exit(self, member: Member, ages: str, age: int, admitted: datetime.date) -> Event | None:
        rng, today = self.rng, self.today
        window_start = max(MOVEMENTS_FROM, admitted + datetime.timedelta(days=30))
        years = max((today - window_start).days, 0) / 365
        if not years:
            return None
        chances = (
            (MovementKind.DIED, _death_rate(age)),
            (MovementKind.TRANSFERRED_OUT, _LEAVES_PROVINCE[ages] if age < 60 else 0.0005),
            (MovementKind.STRUCK_OFF, _STRUCK_OFF),
            (MovementKind.EXPELLED, _EXPELLED),
        )
        roll = rng.random()
        for kind, yearly in chances:
            roll -= yearly * years
            if roll < 0:
                return Event(day=random_day(rng, window_start, today), kind=kind, member=member, note=_NOTES[kind])
        return None

    def _set_status(self, member: Member, admitted: datetime.date, left_on: datetime.date | None) -> None:
        rng, today = self.rng, self.today
        until = left_on or today
        ceremony = admitted + datetime.timedelta(days=rng.randint(5, 30))
        member.ceremony_date = ceremony if ceremony <= until else None
        # Recognised a year after admission, once the cell and the commune have voted on it.
        probation_ends = add_years(admitted, 1)
        if probation_ends <= until:
            member.recognition_date = min(probation_ends + datetime.timedelta(days=rng.randint(0, 45)), until)
        # A member who leaves later is still on the roll when written; the replay of their exit
        # through member_record_exit sets them to "left", as the application would.
        member.status = MemberStatus.FULL if member.recognition_date else MemberStatus.PROBATIONARY

    @staticmethod
    def _number_cards(members: list[Member]) -> None:
        """Party cards are issued after recognition; number them in the order they were issued."""
        recognised = sorted(
            (i for i, m in enumerate(members) if m.recognition_date), key=lambda i: (members[i].recognition_date, i)
        )
        for number, i in enumerate(recognised, start=1):
            members[i].card_number = f"{19_000_000 + number:08d}"


def replay(events: list[Event], *, reorganise: Callable[[], None], progress: Callable[[str], None]) -> None:
    """Record the transfers and exits in date order; the reorganisation happens on its own day.

    It runs before the other events of 1 July 2025, so an exit that day is recorded in the
    successor cell the member has just moved to.
    """
    reorganised = False
    for event in events:
        if not reorganised and event.day >= REORGANISATION_DAY:
            reorganise()
            reorganised = True
        if event.kind == _TRANSFER:
            assert event.to_cell is not None  # a transfer always names the cell it goes to
            member_transfer(member=event.member, to_cell=event.to_cell.org, on=event.day, note=event.note)
        else:
            member_record_exit(member=event.member, kind=event.kind, on=event.day, note=event.note)
    if not reorganised:
        reorganise()
    transfers = sum(e.kind == _TRANSFER for e in events)
    progress(
        f"  … {format_number(transfers)} lượt chuyển sinh hoạt trong tỉnh, "
        f"{format_number(len(events) - transfers)} lượt ra khỏi danh sách"
    )
