"""On random trees and admissions, a parent's count is the sum of its children's."""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.vocabulary import Level
from reports.progress import periods
from reports.progress.report import progress_report

from ..builders import admit, org

pytestmark = pytest.mark.django_db
YEAR = periods.year(2025)
TODAY = datetime.date(2026, 1, 15)

# A tree: communes, each with some cells directly and some grassroots committees with cells.
tree_shape = st.lists(
    st.tuples(st.integers(0, 3), st.lists(st.integers(1, 3), max_size=2)),
    min_size=1,
    max_size=3,
)
admission_days = st.lists(st.tuples(st.integers(0, 50), st.integers(-200, 400)), max_size=40)


def build(shape):
    province = org(Level.PROVINCE)
    cells = []
    for direct, committees in shape:
        commune = org(Level.COMMUNE, province)
        cells += [org(Level.CELL, commune) for _ in range(direct)]
        for size in committees:
            committee = org(Level.GRASSROOTS_COMMITTEE, commune)
            cells += [org(Level.CELL, committee) for _ in range(size)]
        if not direct and not committees:
            cells.append(org(Level.GRASSROOTS_CELL, commune))
    return province, cells


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=tree_shape, admissions=admission_days)
def test_a_parents_admissions_are_the_sum_of_its_childrens(shape, admissions):
    with transaction.atomic():
        province, cells = build(shape)
        for cell_index, offset in admissions:
            admit(cells[cell_index % len(cells)], [YEAR.start + datetime.timedelta(days=offset)])
        expected_total = sum(1 for _c, offset in admissions if 0 <= offset < YEAR.days)

        def check(unit):
            data = progress_report(unit, YEAR, TODAY)
            children = data.children
            if children:
                assert data.admissions.period == sum(c.achieved for c in children)
                for child in children:
                    from members.models import Organisation

                    assert check(Organisation.objects.get(pk=child.id)) == child.achieved
            return data.admissions.period

        assert check(province) == expected_total
        transaction.set_rollback(True)
