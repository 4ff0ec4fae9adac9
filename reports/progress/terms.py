"""The term (nhiệm kỳ) of a unit on a day, from its own and its ancestors' recorded terms.

A term belongs to an organisation (members.models.OrganisationTerm): it starts at that organisation's
congress, or for a unit the 2025 reorganisation made, on its own date. For each congress cycle
(2020-2025, 2025-2030 ...) a unit uses its own row, else its nearest ancestor's, else the default of
reports/progress/periods.py (1 July of the cycle year). A cycle without a row starts the day after
the previous cycle's recorded end when that is later than the default, and lasts until the day before
the next cycle starts. `load_unit_terms` reads the rows of a unit and its ancestors in one query;
`UnitTerms` answers from them without touching the database.
"""

import datetime
from dataclasses import dataclass
from functools import lru_cache

from members.models import Organisation, OrganisationTerm

from . import periods

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class RecordedTerm:
    depth: int  # of the organisation that recorded it: the deepest is the nearest
    first_year: int
    start: datetime.date
    end: datetime.date


@dataclass(frozen=True)
class UnitTerms:
    """The recorded terms of one unit and its ancestors; with none, every answer is the default."""

    rows: tuple[RecordedTerm, ...] = ()

    def recorded(self, first_year: int) -> RecordedTerm | None:
        """The nearest organisation's own row for this cycle (the unit's, else its nearest ancestor's)."""
        found = [row for row in self.rows if row.first_year == first_year]
        return max(found, key=lambda row: row.depth) if found else None

    def _start(self, first_year: int) -> datetime.date:
        own = self.recorded(first_year)
        if own is not None:
            return own.start
        start = periods.term(first_year).start
        previous = self.recorded(first_year - periods.TERM_YEARS)
        if previous is not None and previous.end >= start:
            start = previous.end + ONE_DAY
        return start

    def _end(self, first_year: int) -> datetime.date:
        own = self.recorded(first_year)
        if own is not None:
            return own.end
        return self._start(first_year + periods.TERM_YEARS) - ONE_DAY

    def term(self, first_year: int) -> periods.Period:
        """The unit's term of the cycle that starts in `first_year` (2020 for "2020-2025")."""
        return periods.Period("term", self._start(first_year), self._end(first_year), first_year)

    def containing(self, day: datetime.date) -> periods.Period:
        """The unit's term that `day` falls in."""
        return _containing(self, day)

    def _find(self, day: datetime.date) -> periods.Period:
        default_year = periods.term_containing(day).start.year
        years = [default_year + k * periods.TERM_YEARS for k in (1, 0, -1, -2)]
        candidates = [self.term(y) for y in years]
        for candidate in candidates:
            if candidate.contains(day):
                return candidate
        # Between a recorded end and the next congress: the term lasts until the next one starts.
        for y, candidate in zip(years, candidates, strict=True):
            if candidate.start <= day:
                end = self._start(y + periods.TERM_YEARS) - ONE_DAY
                return periods.Period("term", candidate.start, max(end, day), y)
        return periods.term_containing(day)  # pragma: no cover - a day before every candidate


@lru_cache(maxsize=4096)
def _containing(terms: UnitTerms, day: datetime.date) -> periods.Period:
    """Remembered: a province pass asks the same few days of the same terms thousands of times."""
    return terms._find(day)


DEFAULT_TERMS = UnitTerms()


def ancestor_paths(organisation: Organisation) -> list[str]:
    """The unit's path and its ancestors', from the materialised path alone."""
    step = Organisation.steplen
    return [organisation.path[: step * depth] for depth in range(1, organisation.depth + 1)]


def load_unit_terms(organisation: Organisation) -> UnitTerms:
    """One query: the recorded terms of the unit and every ancestor."""
    rows = OrganisationTerm.objects.filter(organisation__path__in=ancestor_paths(organisation)).values_list(
        "organisation__depth", "first_year", "start", "end"
    )
    return UnitTerms(tuple(RecordedTerm(*row) for row in rows.order_by("organisation__depth", "first_year")))
