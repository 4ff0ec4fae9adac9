"""One pass over a whole province: every unit's report from facts read once (issue 15).

`ProvinceSource.load(organisations, period_list, today)` reads, in a fixed number of queries whatever the
number of units, everything the reports of those units over those periods need: the tree, the recorded
terms, the quotas, the admissions with their people, the movements grouped by unit, day and kind, the
candidates, their classes and their stage entries. It then answers `assemble_facts` (facts.py) for any
of those units from memory, with the same answers `DatabaseSource` gives one query at a time, so
`compute_report(assemble_facts(unit, period, today, source))` is the report `progress_report` computes
(tests/reports/progress/test_province_pass.py compares them on random trees).

Sizes: the rows of a province of 400,000 members are a few hundred thousand tuples. Each unit's answer
walks its own subtree's rows (bisecting the per-unit sorted lists), so the whole pass costs the rows
times the depth of the tree, never units times rows.
"""

import bisect
import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from itertools import accumulate

from django.db.models import Count, Max, Min, Q

from members.models import MemberMovement, Organisation, OrganisationTerm
from members.scoping import subtree_q
from members.vocabulary import CELL_LEVELS, MOVEMENT_SIGN, MovementKind
from recruitment.models import Candidate, Enrolment, StageEntry
from recruitment.vocabulary import OPEN_STAGES

from ..models import Quota
from ..vocabulary import QuotaMetric
from . import forecast as fc
from . import periods
from .admissions import FIELDS, Admission, admitted_movements
from .facts import Cell, Entry, Introduction, report_dates
from .lineage import Lineage
from .terms import RecordedTerm, UnitTerms, ancestor_paths

STEP = Organisation.steplen


def _upper(prefix: str) -> str:
    """The smallest string above every string that starts with `prefix` (paths are ASCII)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class _DatedCounts:
    """Per unit path, the days something happened and the running total up to each (for bisecting)."""

    def __init__(self) -> None:
        self._days: dict[str, list[datetime.date]] = {}
        self._totals: dict[str, list[int]] = {}

    @classmethod
    def of(cls, rows: Iterable[tuple[str, datetime.date, int]]) -> "_DatedCounts":
        """`rows`: (path, day, amount) in any order."""
        grouped: dict[str, dict[datetime.date, int]] = defaultdict(lambda: defaultdict(int))
        for path, day, amount in rows:
            grouped[path][day] += amount
        counts = cls()
        for path, by_day in grouped.items():
            days = sorted(by_day)
            counts._days[path] = days
            counts._totals[path] = list(accumulate(by_day[d] for d in days))
        return counts

    def up_to(self, path: str, day: datetime.date) -> int:
        """The total of `path`'s amounts dated on or before `day`."""
        days = self._days.get(path)
        if not days:
            return 0
        i = bisect.bisect_right(days, day)
        return self._totals[path][i - 1] if i else 0

    def between(self, path: str, start: datetime.date, end: datetime.date) -> int:
        return self.up_to(path, end) - self.up_to(path, start - datetime.timedelta(days=1))

    def amounts(self, path: str) -> Iterable[tuple[datetime.date, int]]:
        """(day, amount) of `path`'s own rows, by day."""
        previous = 0
        for day, total in zip(self._days.get(path, ()), self._totals.get(path, ()), strict=True):
            yield day, total - previous
            previous = total


class _SubtreeCounts:
    """`_DatedCounts` summed over each unit's whole subtree, each subtree summed once, when first asked:
    a report then bisects one list per path of its lineage instead of one per unit of its subtree."""

    def __init__(self, dated: _DatedCounts, under) -> None:
        self._dated = dated
        self._under = under  # ProvinceSource._under
        self._rolled: dict[str, _DatedCounts] = {}

    def _of(self, prefix: str) -> _DatedCounts:
        rolled = self._rolled.get(prefix)
        if rolled is None:
            dated = self._dated
            under = self._under([prefix])
            if under == [prefix]:  # a unit without units under it (a cell): its own rows
                rolled = dated
            else:
                rolled = _DatedCounts.of((prefix, day, amount) for path in under for day, amount in dated.amounts(path))
            self._rolled[prefix] = rolled
        return rolled

    def up_to(self, prefixes: list[str], day: datetime.date) -> int:
        """The total of every unit's amounts under any of `prefixes` (each unit once) dated on or before `day`."""
        if len(prefixes) == 1:
            return self._of(prefixes[0]).up_to(prefixes[0], day)
        return sum(self._of(prefix).up_to(prefix, day) for prefix in _outermost(prefixes))

    def between(self, prefixes: list[str], start: datetime.date, end: datetime.date) -> int:
        return self.up_to(prefixes, end) - self.up_to(prefixes, start - datetime.timedelta(days=1))


def _outermost(prefixes: Iterable[str]) -> list[str]:
    """`prefixes` without those under another of them (or repeated): the same units, each under one."""
    kept: list[str] = []
    for prefix in sorted(set(prefixes)):
        if not kept or not prefix.startswith(kept[-1]):
            kept.append(prefix)
    return kept


class ProvinceSource:
    """The facts of many units' reports, read once (see the module's docstring)."""

    def __init__(self) -> None:
        self.by_path: dict[str, Organisation] = {}
        self.paths: list[str] = []  # every loaded unit's path, sorted
        self.name_rank: dict[int, int] = {}
        self.merges_into: dict[str, list[tuple[str, str, datetime.date | None]]] = defaultdict(list)
        self.terms: dict[str, list[RecordedTerm]] = defaultdict(list)
        self.quotas_of: dict[int, list[Quota]] = defaultdict(list)
        self.admissions_of: dict[str, list[tuple[datetime.date, int, Admission]]] = defaultdict(list)
        self.introductions_of: dict[str, list[Introduction]] = defaultdict(list)
        self.trained_of: dict[str, list[datetime.date]] = defaultdict(list)
        self.members = _DatedCounts()
        self.movements: dict[str, _DatedCounts] = {}
        self.entries_of: dict[str, list[tuple[int, datetime.date, int, Entry]]] = defaultdict(list)
        self.open_of: dict[str, list[Entry]] = defaultdict(list)
        self.last_admission_on: dict[datetime.date, dict[str, datetime.date]] = {}
        self._entries_cache: dict[tuple[str, ...], list[Entry]] = {}
        self._parent_history: dict[tuple[str, datetime.date], dict[str, fc.StageHistory]] = {}
        self._under_cache: dict[tuple[str, ...], list[str]] = {}
        self._pending_merges: list[tuple[str, int, datetime.date | None]] = []
        self._admissions_cache: dict[tuple[str, ...], list[tuple[datetime.date, int, Admission]]] = {}
        self._rolled: dict[str, _SubtreeCounts] = {}  # "" the members, else a movement kind

    # --- loading ---------------------------------------------------------------------------------

    @classmethod
    def load(
        cls, organisations: Sequence[Organisation], period_list: Sequence[periods.Period], today: datetime.date
    ) -> "ProvinceSource":
        """Everything the reports of `organisations` over `period_list` on `today` read, in a fixed number
        of queries: the trees of their top-level units (a merge never crosses provinces)."""
        source = cls()
        roots = sorted({o.path[:STEP] for o in organisations})
        everything = Organisation.objects.filter(subtree_q(roots))
        for org in everything.order_by("path"):
            source.by_path[org.path] = org
            source.paths.append(org.path)
            if org.merged_into_id is not None:
                into = org.merged_into_id
                source._pending_merges.append((org.path, into, org.dissolved_on))
        by_id = {org.pk: org for org in source.by_path.values()}
        for path, into_id, dissolved_on in source._pending_merges:
            into = by_id.get(into_id)
            if into is None:
                continue
            for depth in range(1, into.depth + 1):
                source.merges_into[into.path[: depth * STEP]].append((path, into.path, dissolved_on))
        source.name_rank = {
            pk: rank for rank, pk in enumerate(everything.order_by("name").values_list("pk", flat=True))
        }
        for path, depth, first_year, start, end in (
            OrganisationTerm.objects.filter(subtree_q(roots, "organisation__path"))
            .order_by("organisation__depth", "first_year")
            .values_list("organisation__path", "organisation__depth", "first_year", "start", "end")
        ):
            source.terms[path].append(RecordedTerm(depth, first_year, start, end))

        # The window every report looks into: from the earliest day any of them fetches to the latest.
        all_dates = [
            report_dates(period, today, source.unit_terms(org)) for org in organisations for period in period_list
        ]
        if not all_dates:
            return source
        start = min(d.fetch_start for d in all_dates)
        end = max(d.fetch_end for d in all_dates)
        oldest_quota = min(d.last_year.start for d in all_dates)
        latest_end = max(p.end for p in period_list)
        refs = sorted({d.ref for d in all_dates})

        for quota in Quota.objects.filter(
            subtree_q(roots, "organisation__path"), period_start__gte=oldest_quota, period_end__lte=latest_end
        ).order_by("source", "metric", "pk"):
            source.quotas_of[quota.organisation_id].append(quota)
        source._load_admissions(roots, start, end)
        for path, proposed_on, body, passed_on, admitted_on in (
            Candidate.objects.filter(subtree_q(roots, "cell__path"), proposed_on__gte=start, proposed_on__lte=end)
            .annotate(passed_on=Min("enrolments__certificate_issued_on", filter=Q(enrolments__passed=True)))
            .values_list("cell__path", "proposed_on", "introduced_by", "passed_on", "member__admission_decision_date")
            .order_by()
        ):
            source.introductions_of[path].append((proposed_on, body, passed_on, admitted_on))
        for path, day in Enrolment.objects.filter(
            subtree_q(roots, "candidate__cell__path"),
            passed=True,
            certificate_issued_on__gte=start,
            certificate_issued_on__lte=end,
        ).values_list("candidate__cell__path", "certificate_issued_on"):
            source.trained_of[path].append(day)

        # Movements grouped by unit, day and kind: the member counts (signed) and the counts by kind.
        movement_rows = list(
            MemberMovement.objects.filter(subtree_q(roots, "organisation__path"), date__lte=end)
            .order_by()
            .values_list("organisation__path", "date", "kind")
            .annotate(n=Count("id"))
        )
        source.members = _DatedCounts.of(
            (path, day, MOVEMENT_SIGN.get(kind, 0) * n) for path, day, kind, n in movement_rows
        )
        by_kind: dict[str, list[tuple[str, datetime.date, int]]] = defaultdict(list)
        for path, day, kind, n in movement_rows:
            by_kind[kind].append((path, day, n))
        source.movements = {kind: _DatedCounts.of(rows) for kind, rows in by_kind.items()}

        for pk, candidate_id, stage, entered_on, path in (
            StageEntry.objects.filter(subtree_q(roots, "candidate__cell__path"))
            .order_by()
            .values_list("pk", "candidate_id", "stage", "entered_on", "candidate__cell__path")
        ):
            source.entries_of[path].append((candidate_id, entered_on, pk, (candidate_id, stage, entered_on, path)))
        for row in Candidate.objects.filter(subtree_q(roots, "cell__path"), stage__in=OPEN_STAGES).values_list(
            "pk", "stage", "stage_entered_on", "cell__path"
        ):
            source.open_of[row[3]].append(row)
        # The last admission of each unit on or before each report's day: one grouped query per day.
        for ref in refs:
            source.last_admission_on[ref] = dict(
                MemberMovement.objects.filter(
                    subtree_q(roots, "organisation__path"), kind=MovementKind.ADMITTED, date__lte=ref
                )
                .order_by()
                .values_list("organisation__path")
                .annotate(last=Max("date"))
            )
        return source

    def _load_admissions(self, roots: list[str], start: datetime.date, end: datetime.date) -> None:
        for pk, *row in admitted_movements(roots, start, end).values_list("pk", *FIELDS).order_by():
            self.admissions_of[row[1]].append((row[0], pk, Admission(*row)))

    # --- the subtree of a path -------------------------------------------------------------------

    def _under(self, prefixes: Iterable[str]) -> list[str]:
        """The loaded units' paths under any of `prefixes`, each once, sorted."""
        key = tuple(prefixes)
        cached = self._under_cache.get(key)
        if cached is None:
            found: set[str] = set()
            for prefix in key:
                lo = bisect.bisect_left(self.paths, prefix)
                hi = bisect.bisect_left(self.paths, _upper(prefix))
                found.update(self.paths[lo:hi])
            cached = self._under_cache[key] = sorted(found)
        return cached

    # --- FactSource ------------------------------------------------------------------------------

    def unit_terms(self, organisation: Organisation) -> UnitTerms:
        rows = [row for path in ancestor_paths(organisation) for row in self.terms.get(path, ())]
        rows.sort(key=lambda row: (row.depth, row.first_year))
        return UnitTerms(tuple(rows))

    def lineage(self, organisation: Organisation, on: datetime.date) -> Lineage:
        """As `lineage_of(organisation, on=on)`: the merges into the subtree done by `on`, generation by
        generation, each generation in path order."""
        lineage = Lineage(organisation)
        frontier = [organisation.path]
        while frontier:
            found: dict[str, str] = {}
            for prefix in frontier:
                for path, into, dissolved_on in self.merges_into.get(prefix, ()):
                    if dissolved_on is not None and dissolved_on > on:
                        continue
                    if into.startswith(prefix) and not path.startswith(organisation.path):
                        found[path] = into
            frontier = []
            for path in sorted(found):
                if path not in lineage.merged_into and not any(path.startswith(p) for p in lineage.paths):
                    lineage.merged_into[path] = found[path]
                    frontier.append(path)
        return lineage

    def admissions(self, lineage: Lineage, start: datetime.date, end: datetime.date) -> list[Admission]:
        key = tuple(lineage.paths)
        rows = self._admissions_cache.get(key)
        if rows is None:
            rows = sorted(
                (row for path in self._under(lineage.paths) for row in self.admissions_of.get(path, ())),
                key=lambda row: (row[0], row[1]),
            )
            self._admissions_cache[key] = rows
        lo = bisect.bisect_left(rows, start, key=lambda row: row[0])
        hi = bisect.bisect_right(rows, end, key=lambda row: row[0])
        out = []
        for _day, _pk, admission in rows[lo:hi]:
            owner = lineage.owner_path(admission.path)
            out.append(admission if owner == admission.path else replace(admission, path=owner))
        return out

    def introductions(self, paths: list[str], start: datetime.date, end: datetime.date) -> tuple[Introduction, ...]:
        return tuple(
            row for path in self._under(paths) for row in self.introductions_of.get(path, ()) if start <= row[0] <= end
        )

    def trained_dates(self, paths: list[str], start: datetime.date, end: datetime.date) -> tuple[datetime.date, ...]:
        return tuple(day for path in self._under(paths) for day in self.trained_of.get(path, ()) if start <= day <= end)

    def quotas(self, organisation: Organisation, start_from: datetime.date, end_by: datetime.date) -> list[Quota]:
        return [
            q
            for q in self.quotas_of.get(organisation.pk, ())
            if q.period_start >= start_from and q.period_end <= end_by
        ]

    def member_counts(self, paths: list[str], days: list[datetime.date]) -> dict[datetime.date, int]:
        rolled = self._subtree_counts("", self.members)
        return {day: rolled.up_to(paths, day) for day in sorted(set(days))}

    def movement_counts(self, paths: list[str], start: datetime.date, end: datetime.date) -> dict[str, int]:
        counts = {}
        for kind, dated in self.movements.items():
            n = self._subtree_counts(kind, dated).between(paths, start, end)
            if n:
                counts[kind] = n
        return counts

    def _subtree_counts(self, name: str, dated: _DatedCounts) -> _SubtreeCounts:
        rolled = self._rolled.get(name)
        if rolled is None:
            rolled = self._rolled[name] = _SubtreeCounts(dated, self._under)
        return rolled

    def entries(self, paths: list[str]) -> list[Entry]:
        key = tuple(paths)
        cached = self._entries_cache.get(key)
        if cached is None:
            rows = sorted(
                (row for path in self._under(paths) for row in self.entries_of.get(path, ())),
                key=lambda row: (row[0], row[1], row[2]),
            )
            cached = [row[3] for row in rows]
            self._entries_cache[key] = cached
        return list(cached)

    def open_now(self, paths: list[str]) -> list[Entry]:
        return [row for path in self._under(paths) for row in self.open_of.get(path, ())]

    def parent(self, organisation: Organisation) -> Organisation | None:
        if organisation.depth <= 1:
            return None
        return self.by_path[organisation.path[: (organisation.depth - 1) * STEP]]

    def parent_history(self, parent: Organisation, ref: datetime.date) -> dict[str, fc.StageHistory]:
        key = (parent.path, ref)
        history = self._parent_history.get(key)
        if history is None:
            history = fc.stage_history([(c, s, day) for c, s, day, _p in self.entries([parent.path]) if day <= ref])
            self._parent_history[key] = history
        return history

    def children(self, organisation: Organisation, start: datetime.date, ref: datetime.date) -> list[Organisation]:
        depth = organisation.depth + 1
        found = [
            self.by_path[path]
            for path in self._under([organisation.path])
            if len(path) == depth * STEP and _active(self.by_path[path], start, ref)
        ]
        found.sort(key=lambda org: self.name_rank[org.pk])
        return found

    def child_admission_quotas(self, children: list[Organisation], period: periods.Period) -> list[Quota]:
        rows = [
            q
            for child in children
            for q in self.quotas_of.get(child.pk, ())
            if q.period_start == period.start and q.period_end == period.end and q.metric == QuotaMetric.ADMISSIONS
        ]
        rows.sort(key=lambda q: (q.source, q.pk))
        return rows

    def cells(self, organisation: Organisation, period_start: datetime.date, ref: datetime.date) -> tuple[Cell, ...]:
        return tuple(
            (org.pk, org.name, org.path)
            for org in (self.by_path[path] for path in self._under([organisation.path]))
            if org.level in CELL_LEVELS and _active(org, period_start, ref)
        )

    def last_admission(self, organisation: Organisation, ref: datetime.date) -> dict[str, datetime.date]:
        last = self.last_admission_on[ref]
        return {path: last[path] for path in self._under([organisation.path]) if path in last}


def _active(org: Organisation, start: datetime.date, ref: datetime.date) -> bool:
    """Not dissolved by the period's start and not founded after the report's day."""
    if org.dissolved_on is not None and org.dissolved_on <= start:
        return False
    return not (org.founded_on is not None and org.founded_on > ref)
