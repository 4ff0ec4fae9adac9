"""Rule 15 in the import (issue 13, item 3): both paths refuse a row whose dates are out of order,
naming both dates, as the services do."""

import pytest

from recruitment.models import Candidate
from reports.imports.columns import CANDIDATES
from reports.imports.service import import_workbook
from tests.reports.imports.test_import_bulk import _members, voted_row
from tests.reports.workbooks import workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "per-row"])
@pytest.mark.parametrize(
    ("changes", "dates"),
    [
        ({"proposed_on": "10/03/2025"}, ("03/03/2025", "10/03/2025")),  # proposed after the class started
        ({"certificate_issued_on": "05/03/2025"}, ("05/03/2025", "07/03/2025")),  # before the class ended
        ({"application_date": "05/01/2025"}, ("05/01/2025", "10/01/2025")),  # before the proposal
        ({"opinions_date": "20/04/2025"}, ("20/04/2025", "15/04/2025")),  # after the submission
    ],
    ids=["class-before-proposal", "certificate-before-class-end", "application-before-proposal", "late-opinions"],
)
def test_a_row_out_of_order_is_refused_naming_both_dates(cast, bulk, changes, dates):
    _members(cast)
    row = voted_row(0) | changes
    result = import_workbook(workbook_bytes({CANDIDATES: [row]}), user=cast.commune_board, bulk=bulk)
    assert not result.ok
    messages = " ".join(i.message for i in result.issues)
    assert all(d in messages for d in dates), messages
    # The sheet's own row check already orders the proposal and the class (reports/imports/rows.py).
    assert "Quy tắc 15" in messages or "proposed_on" in changes
    assert not Candidate.objects.exists()


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "per-row"])
def test_the_same_row_in_order_is_taken(cast, bulk):
    _members(cast)
    result = import_workbook(workbook_bytes({CANDIDATES: [voted_row(0)]}), user=cast.commune_board, bulk=bulk)
    assert result.ok, [i.message for i in result.issues]
    assert Candidate.objects.get().stage == "cell_resolution"
