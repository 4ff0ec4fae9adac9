"""The quota screen: the units directly below an organisation with their quotas, set in one go.

Board staff hand the quota they received down to the units below them (docs/domain.md §4):
one row per child unit, the sum of the children against the organisation's own quota, and a
warning when the children's sum falls short of it. Reads here are evaluated before the template
runs; the one write, `quota_assign_children`, saves every changed row or none.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from members.models import Organisation
from members.selectors import member_counts_on

from ..models import Quota
from ..progress import periods
from ..progress.lineage import lineage_of
from ..progress.terms import load_unit_terms
from ..vocabulary import PeriodKind, QuotaMetric, QuotaSource, ValueKind
from . import arithmetic as quota_math
from .services import quota_set

DEFAULT_SOURCE = QuotaSource.ASSIGNED
# When the organisation has no quota of the chosen source, the children's sum is compared with the
# first of these it has.
OWN_SOURCE_ORDER = (QuotaSource.ASSIGNED, QuotaSource.RESOLUTION, QuotaSource.PLAN)


def period_kind_of(period: periods.Period) -> str:
    if period.kind == "term":
        return PeriodKind.TERM
    if period.kind == "year":
        return PeriodKind.YEAR
    return PeriodKind.CUSTOM


def quota_display(quota: Quota | None) -> str:
    """ "15", "15–20" or "3%": how a quota's value reads in a table."""
    if quota is None:
        return ""
    if quota.value_kind == ValueKind.RANGE:
        return f"{quota.value}–{quota.upper}"
    if quota.value_kind == ValueKind.RATE or quota.metric == QuotaMetric.SHARE:
        return f"{quota.rate_percent:g}%"
    return str(quota.value)


@dataclass(frozen=True)
class ChildRow:
    organisation: Organisation
    quota: Quota | None

    @property
    def current(self) -> int | None:
        """The value the input starts from: an exact count, or a range's lower bound."""
        if self.quota is None or self.quota.value_kind == ValueKind.RATE:
            return None
        return self.quota.value

    @property
    def display(self) -> str:
        return quota_display(self.quota)


@dataclass(frozen=True)
class QuotaScreen:
    organisation: Organisation
    period: periods.Period
    source: str
    children: list[ChildRow]
    own: Quota | None
    own_target: int | None

    @property
    def source_label(self) -> str:
        return QuotaSource(self.source).label

    @property
    def children_sum(self) -> int:
        return sum(row.current or 0 for row in self.children)

    @property
    def shortfall(self) -> int:
        """How far the children's sum falls below the organisation's own quota (0 when it does not)."""
        if self.own_target is None or not self.children:
            return 0
        return max(self.own_target - self.children_sum, 0)


def _own_target(quota: Quota | None, organisation: Organisation) -> int | None:
    if quota is None:
        return None
    if quota.value_kind == ValueKind.RATE:
        base = quota.base_members
        if base is None:
            term = load_unit_terms(organisation).containing(quota.period_start)
            # With the units merged into it by then (docs/domain.md, "Successors' bases").
            day = term.start - datetime.timedelta(days=1)
            paths = lineage_of(organisation).paths
            base = member_counts_on(paths=paths, days=[day])[day]
        return quota_math.rate_target(quota.rate_percent, base)
    return quota.value


def load(*, organisation: Organisation, period: periods.Period, source: str) -> QuotaScreen:
    """Two queries (children, their quotas and the organisation's), four or five for a rate quota."""
    children = list(
        Organisation.objects.get_children(organisation)
        .exclude(dissolved_on__lte=period.start)
        .exclude(founded_on__gt=period.end)
        .order_by("name")
    )
    quotas = list(
        Quota.objects.filter(
            organisation__in=[organisation, *children],
            period_start=period.start,
            period_end=period.end,
            metric=QuotaMetric.ADMISSIONS,
            share_attribute="",
        ).order_by("pk")
    )
    by_child = {q.organisation_id: q for q in quotas if q.source == source and q.organisation_id != organisation.pk}
    own_quotas = {q.source: q for q in quotas if q.organisation_id == organisation.pk}
    own = own_quotas.get(source) or next((own_quotas[s] for s in OWN_SOURCE_ORDER if s in own_quotas), None)
    return QuotaScreen(
        organisation=organisation,
        period=period,
        source=source,
        children=[ChildRow(child, by_child.get(child.pk)) for child in children],
        own=own,
        own_target=_own_target(own, organisation),
    )


def quota_to_edit(organisation: Organisation, raw_pk: str | None) -> Quota | None:
    """The organisation's own quota named in `?sua=`; anything else is ignored."""
    if not raw_pk or not raw_pk.isdigit():
        return None
    return Quota.objects.filter(organisation=organisation, pk=int(raw_pk)).first()


def existing_quotas(organisation: Organisation) -> list[Quota]:
    return list(Quota.objects.filter(organisation=organisation).order_by("-period_start", "period_end", "source", "pk"))


class ChildRowsRefused(Exception):
    """Some rows were refused; nothing was saved. `errors`: child organisation id -> messages."""

    def __init__(self, errors: dict[int, list[str]]):
        super().__init__(errors)
        self.errors = errors


def quota_assign_children(
    *, parent: Organisation, period: periods.Period, source: str, values: dict[Organisation, int], by
) -> int:
    """Set the admissions quota of each given child for the period; all rows or none.

    Every row is checked (through reports.quotas.services.quota_set) before the refusal is raised, so the
    screen can mark all the bad rows at once; raising rolls back the rows already written.
    """
    errors: dict[int, list[str]] = {}
    with transaction.atomic():
        for child, value in values.items():
            if child.depth != parent.depth + 1 or not child.path.startswith(parent.path):
                raise ValueError(f"{child} is not directly under {parent}")
            try:
                quota_set(
                    organisation=child,
                    by=by,
                    period_kind=period_kind_of(period),
                    period_start=period.start,
                    period_end=period.end,
                    source=source,
                    metric=QuotaMetric.ADMISSIONS,
                    value_kind=ValueKind.EXACT,
                    value=value,
                    upper=None,
                    rate_percent=None,
                )
            except ValidationError as refusal:
                errors[child.pk] = [m for messages in refusal.message_dict.values() for m in messages]
        if errors:
            raise ChildRowsRefused(errors)
    return len(values)
