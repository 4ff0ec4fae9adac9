"""Demo quotas: term and annual quotas of every kind, set so the dashboard shows units above,
within and below their quotas (load_demo calls this after the pipeline)."""

import datetime
import random
from collections import Counter
from decimal import Decimal

from django.db.models import Count
from django.db.models.functions import Substr

from members.models import MemberMovement, Organisation
from members.vocabulary import CELL_LEVELS, Level, MovementKind

from ..progress import periods
from ..quotas.services import quota_set
from ..vocabulary import QuotaMetric, QuotaSource, ShareAttribute, ValueKind

STEP = Organisation.steplen


def _admissions_by_child(parent: Organisation, period: periods.Period) -> Counter:
    rows = (
        MemberMovement.objects.filter(
            organisation__path__startswith=parent.path,
            kind=MovementKind.ADMITTED,
            date__gte=period.start,
            date__lte=period.end,
        )
        .annotate(prefix=Substr("organisation__path", 1, (parent.depth + 1) * STEP))
        .order_by()
        .values_list("prefix")
        .annotate(n=Count("id"))
    )
    return Counter(dict(rows))


def _period_fields(period: periods.Period) -> dict:
    kind = {"term": "term", "year": "year"}.get(period.kind, "custom")
    return {"period_kind": kind, "period_start": period.start, "period_end": period.end}


def _expected_total(achieved: int, period: periods.Period, today: datetime.date) -> int:
    """Where the unit's pace would end the period (at least its achieved count)."""
    elapsed = max(min((today - period.start).days + 1, period.days), 1)
    return max(achieved, round(achieved * period.days / elapsed))


def build_quotas(province: Organisation, *, today: datetime.date, rng: random.Random, by=None) -> int:
    term = periods.term_containing(today)
    this_year = periods.year(today.year)
    last_year = periods.year(today.year - 1)
    created = 0

    def put(unit, period, **fields):
        nonlocal created
        quota_set(organisation=unit, by=by, **_period_fields(period), **fields)
        created += 1

    # The province: each year at least 3% of the members at the term's start (as Phú Lương's
    # resolution reads), and a share quota like the seeds' "65% do Đoàn cơ sở giới thiệu".
    put(province, this_year, source=QuotaSource.RESOLUTION, value_kind=ValueKind.RATE, rate_percent=Decimal("3"))
    put(
        province,
        term,
        source=QuotaSource.RESOLUTION,
        metric=QuotaMetric.SHARE,
        share_attribute=ShareAttribute.YOUTH_UNION_INTRODUCED,
        value_kind=ValueKind.RATE,
        rate_percent=Decimal("65"),
    )
    communes = list(
        Organisation.objects.filter(path__startswith=province.path, depth=province.depth + 1, level=Level.COMMUNE)
        .filter(dissolved_on__isnull=True)
        .order_by("path")
    )
    by_term = _admissions_by_child(province, term)
    by_year = _admissions_by_child(province, this_year)
    by_last = _admissions_by_child(province, last_year)
    term_total = year_total = 0
    for index, commune in enumerate(communes):
        # A third of the communes ahead of their quotas, a third on track, a third behind.
        mood = ("above", "within", "below")[index % 3]
        year_pace = _expected_total(by_year[commune.path], this_year, today)
        term_pace = _expected_total(by_term[commune.path], term, today)
        factor = {"above": Decimal("0.7"), "within": Decimal("1.0"), "below": Decimal("1.5")}[mood]
        year_value = max(int(year_pace * factor), 1)
        term_value = max(int(term_pace * factor), 5)
        put(commune, term, source=QuotaSource.ASSIGNED, value=term_value)
        put(
            commune,
            term,
            source=QuotaSource.RESOLUTION,
            value_kind=ValueKind.RANGE,
            value=term_value,
            upper=term_value + max(term_value // 5, 2),
        )
        put(commune, this_year, source=QuotaSource.PLAN, value=year_value)
        # Last year's assigned quota, marked so its shortfall carries into this year (Kim Bảng).
        last_value = by_last[commune.path] + rng.choice((-1, 0, 2, 3))
        if commune.founded_on is None or commune.founded_on <= last_year.end:
            put(commune, last_year, source=QuotaSource.ASSIGNED, value=max(last_value, 1), carry_over=True)
        put(commune, this_year, source=QuotaSource.ASSIGNED, value=year_value)
        term_total += term_value
        year_total += year_value
        if index < 3:
            cells = list(
                Organisation.objects.filter(
                    path__startswith=commune.path, depth=commune.depth + 1, level__in=CELL_LEVELS
                )
                .filter(dissolved_on__isnull=True)
                .order_by("path")
            )
            by_cell = _admissions_by_child(commune, this_year)
            for k, cell in enumerate(cells):
                put(cell, this_year, source=QuotaSource.ASSIGNED, value=max(by_cell[cell.path] + (k % 3) - 1, 1))
    put(province, term, source=QuotaSource.ASSIGNED, value=term_total)
    put(province, this_year, source=QuotaSource.PLAN, value=year_total)
    return created
