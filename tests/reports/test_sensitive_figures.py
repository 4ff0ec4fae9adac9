"""Ethnicity and religion in the figures (issue 14 finding 5): the Biểu 2 rows and the small counts of a
share quota are for the sensitive-data roles only, on every surface (page, .xlsx, PDF, digest, member list).

Cell A of the cast has one new member this year, of an ethnic minority and religious: "Tổng số 1,
Dân tộc thiểu số 1" would name her to anyone holding the member list of that day. sec_a (cell
secretary) may not see ethnicity or religion; commune_board (board staff of commune X) may.
"""

import datetime
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members.models import Person
from reports import sensitive
from reports.digest.content import build_digest
from reports.digest.message import render
from reports.digest.recipients import recipient_for
from reports.models import Quota
from reports.progress import periods
from tests.reports.builders import admit, quota

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)
YEAR = periods.year(2026)
NAME = "Hoàng Thị Nhạy Cảm"


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    return TODAY


@pytest.fixture
def cell_a(cast, today):
    [member] = admit(cast.cell_a, [datetime.date(2026, 10, 12)], ethnicity="Tày")
    Person.objects.filter(pk=member.person_id).update(full_name=NAME, religion="Phật giáo")
    for unit in (cast.cell_a, cast.commune_x):
        quota(
            unit,
            YEAR,
            metric="share",
            share_attribute="ethnic_minority",
            value_kind="rate",
            rate_percent=Decimal("20.00"),
        )
    return cast.cell_a


def page(client, user, unit, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("reports:dashboard", args=[unit.pk]), {"ky": "2026", **params})
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_sensitive_rows_to_the_board_only(client, cast, cell_a):
    board = page(client, cast.commune_board, cell_a)
    assert 'id="breakdown-ethnic_minority"' in board and 'id="breakdown-religious"' in board
    assert "breakdown-sensitive-note" not in board

    secretary = page(client, cast.sec_a, cell_a)
    assert 'id="breakdown-ethnic_minority"' not in secretary and 'id="breakdown-religious"' not in secretary
    assert "breakdown-sensitive-note" in secretary and "Nghị định 13/2023" in secretary
    assert 'id="breakdown-women"' in secretary  # the other rows stay
    assert "attribute=ethnic_minority" not in secretary  # no link to the list of those people


def test_a_small_count_of_a_sensitive_share_quota_is_suppressed_for_the_others(client, cast, cell_a):
    marker = f'id="quota-{Quota.objects.get(organisation=cell_a).pk}"'

    def card(body: str) -> str:
        start = body.index(marker)
        return body[start : body.index("</div>\n      </div>", start)]

    board = card(page(client, cast.commune_board, cell_a))
    secretary = card(page(client, cast.sec_a, cell_a))
    assert "&lt;5" not in board and "100,0%" in board  # 1 of 1 admission
    assert "&lt;5" in secretary and "100,0%" not in secretary


def workbook(client, user, unit, name="reports:export_breakdown_xlsx"):
    client.force_login(user)
    response = client.get(reverse(name, args=[unit.pk]), {"ky": "2026"})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def cells(ws) -> list:
    return [v for row in ws.iter_rows(values_only=True) for v in row if v is not None]


def test_the_breakdown_workbook_has_the_sensitive_rows_for_the_board_only(client, cast, cell_a):
    board = cells(workbook(client, cast.commune_board, cell_a).active)
    assert "Dân tộc thiểu số" in board and "Có đạo" in board
    assert str(sensitive.NOTE) not in board

    secretary = cells(workbook(client, cast.sec_a, cell_a).active)
    assert "Dân tộc thiểu số" not in secretary and "Có đạo" not in secretary
    assert str(sensitive.NOTE) in secretary and "Nữ" in secretary


def test_the_progress_workbook_suppresses_the_small_share_count(client, cast, cell_a):
    name = "reports:export_progress_xlsx"
    board = workbook(client, cast.commune_board, cell_a, name)
    secretary = workbook(client, cast.sec_a, cell_a, name)
    assert sensitive.SUPPRESSED not in cells(board["Tiến độ"])
    assert sensitive.SUPPRESSED in cells(secretary["Tiến độ"])
    assert "Dân tộc thiểu số" not in cells(secretary["Biểu 2-BTCTW"])


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_pdf_suppresses_the_small_share_count(client, cast, cell_a, tmp_path):
    def text(user) -> str:
        client.force_login(user)
        response = client.get(reverse("reports:export_progress_pdf", args=[cell_a.pk]), {"ky": "2026"})
        path = tmp_path / f"{user.username}.pdf"
        path.write_bytes(response.content)
        found = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True)
        # The quota's row: its target, 20%, then what was achieved and the share.
        return next(line for line in found.stdout.splitlines() if "20,0%" in line)

    board, secretary = text(cast.commune_board), text(cast.sec_a)
    assert "<5" not in board and "100,0%" in board
    assert "<5" in secretary and "100,0%" not in secretary


def digest_text(user) -> str:
    recipient = recipient_for(user, datetime.date(2026, 10, 1))
    return render(build_digest(recipient, datetime.date(2026, 11, 1))).text


def test_the_digest_suppresses_the_small_count_for_a_cell_secretary_only(cast, cell_a):
    for user in cast.users().values():
        user.email = f"{user.username}@example.vn"
        user.save(update_fields=["email"])
    secretary = digest_text(cast.sec_a)
    assert "<5 người / 20,0%" in secretary and "100,0%" not in secretary
    committee = digest_text(cast.commune_sec)  # the same quota of the commune, to someone with access
    assert "100,0% / 20,0%" in committee and "<5" not in committee


def member_list(client, user, unit, fmt="page", **params):
    client.force_login(user)
    if fmt == "xlsx":
        return client.get(reverse("reports:export_people_xlsx", args=[unit.pk]), params)
    return client.get(reverse("members:organisation", args=[unit.pk]), params)


def test_the_member_list_refuses_the_sensitive_filters_to_a_cell_secretary(client, cast, cell_a):
    board = member_list(client, cast.commune_board, cell_a, attribute="ethnic_minority", status="all")
    assert NAME in board.content.decode()
    secretary = member_list(client, cast.sec_a, cell_a, attribute="ethnic_minority", status="all")
    body = secretary.content.decode()
    assert secretary.status_code == 200 and NAME not in body
    assert "Chỉ cấp ủy và ban tổ chức được lọc đảng viên theo dân tộc, tôn giáo." in body
    assert 'value="religious"' not in body and 'value="youth_union"' in body
    # Without the filter the list is theirs as before.
    assert NAME in member_list(client, cast.sec_a, cell_a, status="all").content.decode()

    refused = member_list(client, cast.sec_a, cell_a, "xlsx", attribute="religious")
    assert refused.status_code == 403
    allowed = member_list(client, cast.commune_board, cell_a, "xlsx", attribute="religious")
    assert allowed.status_code == 200 and b"".join(allowed.streaming_content)


def test_for_viewer_leaves_large_counts_and_other_attributes_alone(cast, cell_a):
    from reports.progress.report import progress_report

    admit(cell_a, [datetime.date(2026, 10, d) for d in range(1, 6)], ethnicity="Mường")
    report = progress_report(cell_a, YEAR, TODAY)
    [share] = report.quotas
    assert share.achieved == 6  # SMALL_COUNT or more: shown
    assert sensitive.for_viewer(report, False).quotas == report.quotas
    assert sensitive.for_viewer(report, True) is report
    assert sensitive.shown_count(0, False) == 0 and sensitive.shown_count(4, False) == "<5"
    assert sensitive.shown_count(4, True) == 4
