"""Building one digest costs the same number of queries for a small subtree and a large one."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.vocabulary import Level, Role
from recruitment.models import Candidate
from reports.digest.content import build_digest
from reports.digest.message import render
from reports.digest.recipients import recipient_for
from reports.progress import periods
from tests.factories import UserFactory, grant
from tests.reports.builders import admit, org, quota, spread
from tests.reports.pipeline_builders import trained_people

pytestmark = pytest.mark.django_db
EDITION = datetime.date(2026, 11, 1)
OCTOBER = datetime.date(2026, 10, 1)
# Per section: admissions 1, deadlines 6, data to fix 4, progress of the term and the year 1 each from
# the nightly snapshots (WARM), or computed and stored on this first read (COLD).
WARM_BUDGET = 15
COLD_BUDGET = 60


def commune_with(cells: int, admissions_per_cell: int, candidates_per_cell: int, province):
    commune = org(Level.COMMUNE, province)
    quota(commune, periods.year(2026), 10 * cells)
    for i in range(cells):
        cell = org(Level.CELL, commune)
        if i % 2:  # every other cell has a secretary; the rest are "data to fix"
            grant(UserFactory(email=f"cell{cell.pk}@example.vn"), cell, Role.CELL_SECRETARY)
        quota(cell, periods.year(2026), 5)
        admit(cell, spread(admissions_per_cell, datetime.date(2026, 10, 1), datetime.date(2026, 10, 31)))
        # Certificates expiring in November (a deadline) and candidates with a warning.
        people = trained_people(cell, candidates_per_cell, datetime.date(2021, 11, 20))
        Candidate.objects.filter(pk__in=[c.pk for c in people]).update(
            open_findings=[{"code": "R07", "severity": "warns", "message": "Chi bộ có dưới 3 đảng viên chính thức"}]
        )
    secretary = UserFactory(email=f"commune{commune.pk}@example.vn")
    grant(secretary, commune, Role.COMMITTEE_SECRETARY)
    return secretary


def queries_to_build(user) -> tuple[int, object]:
    recipient = recipient_for(user, OCTOBER)
    with CaptureQueriesContext(connection) as captured:
        digest = build_digest(recipient, EDITION)
    return len(captured), digest


def test_one_digest_costs_the_same_queries_for_one_cell_or_twenty_five():
    province = org(Level.PROVINCE)
    small = commune_with(cells=1, admissions_per_cell=1, candidates_per_cell=1, province=province)
    large = commune_with(cells=25, admissions_per_cell=12, candidates_per_cell=3, province=province)

    small_count, small_digest = queries_to_build(small)
    large_count, large_digest = queries_to_build(large)
    [small_section], [large_section] = small_digest.sections, large_digest.sections
    assert small_section.admissions.total == 1 and large_section.admissions.total == 300
    assert large_section.deadlines.total == 75 and large_section.to_fix.total > 75
    assert small_count == large_count <= COLD_BUDGET

    # Read again, the progress comes from the snapshots just stored, as after the nightly job.
    warm_small, _ = queries_to_build(small)
    warm_large, digest = queries_to_build(large)
    assert warm_small == warm_large <= WARM_BUDGET

    # Everything is read before the templates run: rendering asks the database nothing.
    with CaptureQueriesContext(connection) as captured:
        render(digest)
    assert len(captured) == 0
