"""The progress report of one organisation over one period.

`progress_report(organisation, period, today)` loads the facts (facts.py: a fixed set of aggregate
queries, whatever the number of organisations or admissions), computes the six sections from them
(sections.py: pure functions) and returns a `ProgressReport` (shape.py). Its `as_json()` is what the
snapshots store and the command prints (docs/progress-json.md); `ProgressReport.from_json()` reads it back.
"""

import datetime

from django.conf import settings
from django.utils import translation

from members.models import Organisation

from . import periods
from .facts import FactSource, ReportFacts, assemble_facts, load_facts
from .sections import (
    admissions_section,
    chart_section,
    intake_section,
    introducing_bodies_section,
    members_section,
    pipeline_section,
    quotas_section,
    ranking_source,
    ranking_sources,
    units_section,
)
from .shape import OrganisationRef, PeriodRef, ProgressReport

__all__ = ["ProgressReport", "compute_report", "progress_report", "report_from"]


def progress_report(
    organisation: Organisation, period: periods.Period, today: datetime.date, ranking: str | None = None
) -> ProgressReport:
    # Snapshots are shared by every reader, so the labels inside are always in the site's language,
    # whatever language the request or job that computed them had active.
    with translation.override(settings.LANGUAGE_CODE):
        return compute_report(load_facts(organisation, period, today), ranking)


def report_from(
    source: FactSource, organisation: Organisation, period: periods.Period, today: datetime.date
) -> ProgressReport:
    """The report from a source of facts (a province loaded once: reports/progress/province.py)."""
    with translation.override(settings.LANGUAGE_CODE):
        return compute_report(assemble_facts(organisation, period, today, source))


def compute_report(facts: ReportFacts, ranking: str | None = None) -> ProgressReport:
    """The report from its facts, without a query (call it inside the site's language, as above).

    `ranking`: the quota source to rank the children on (the default when None or not held)."""
    period = facts.dates.period
    admissions, breakdown = admissions_section(facts)  # 1
    intake = intake_section(facts, admissions.period)  # 2
    quotas = quotas_section(facts)  # 3
    members = members_section(facts)  # 4
    pipeline, forecast = pipeline_section(facts, intake, quotas)  # 5
    ranked_by = ranking_source(facts, ranking)
    children, no_admission, dormant_cells = units_section(facts, ranked_by)  # 6
    sources = ranking_sources(facts)
    # The children ranked on every other source they hold: the dashboard's choice reads them (issue 15).
    others = {source: units_section(facts, source)[0] for source in sources if source != ranked_by}
    return ProgressReport(
        organisation=OrganisationRef(facts.unit.id, facts.unit.name, facts.unit.code),
        period=PeriodRef(period.key, period.kind, period.label, period.start, period.end),
        as_of=facts.dates.ref,
        quotas=quotas,
        admissions=admissions,
        pipeline=pipeline,
        forecast=forecast,
        breakdown=breakdown,
        members=members,
        children=children,
        no_admission=no_admission,
        dormant_cells=dormant_cells,
        ranked_by=ranked_by,
        ranking_sources=sources or None,
        introducing_bodies=introducing_bodies_section(facts),  # 7
        chart=chart_section(facts),  # 8
        children_by_source=others or None,
    )
