"""`manage.py progress_report`: the dashboard's figures as JSON or a text table."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.vocabulary import Level
from reports.progress import periods
from reports.progress.report import progress_report

from ..builders import admit, org, quota, spread
from ..pipeline_builders import trained_people

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 1, 15)
YEAR = periods.year(2025)


def run(*args) -> str:
    out = io.StringIO()
    call_command("progress_report", *args, "--today", TODAY.isoformat(), stdout=out)
    return out.getvalue()


@pytest.fixture
def commune():
    """Commune "Xã Thử" with a quota of 35 for 2025, 29 admitted in cell Đông and none in cell Tây."""
    commune = org(Level.COMMUNE, code="XT", name="Đảng bộ xã Thử")
    east = org(Level.CELL, commune, name="Chi bộ thôn Đông")
    org(Level.CELL, commune, name="Chi bộ thôn Tây")
    admit(east, spread(29, YEAR.start, datetime.date(2025, 12, 20)))
    trained_people(east, 3, datetime.date(2025, 5, 10))
    quota(commune, YEAR, 35)
    return commune


def test_json_is_the_progress_report_itself(commune):
    out = run("--org", "XT", "--period", "2025", "--format", "json")
    assert json.loads(out) == json.loads(json.dumps(progress_report(commune, YEAR, TODAY).as_json()))
    assert "Đảng bộ xã Thử" in out  # Vietnamese kept as is, not \u escapes
    assert out.startswith('{\n  "organisation"')


def test_the_table_shows_the_main_figures(commune):
    out = run("--org", "XT", "--period", "2025", "--format", "table")
    assert "Đảng bộ xã Thử (XT) · Năm 2025 · số liệu đến 31/12/2025" in out
    quota_line = next(line for line in out.splitlines() if line.startswith("Nghị quyết Đại hội"))
    assert quota_line.split()[-5:] == ["35", "29", "82,9%", "Chưa", "đạt"]
    assert "Trong kỳ: 29" in out
    assert "Đã học lớp bồi dưỡng" in out  # pipeline by stage
    assert "DỰ BÁO" in out
    ranked = [line for line in out.splitlines() if "Chi bộ thôn" in line and line[:1].isdigit()]
    assert [line.split()[0] for line in ranked] == ["1", "2"]
    assert "Đông" in ranked[0] and "Tây" in ranked[1] and ranked[1].rstrip().endswith("chậm")
    assert "Đầu kỳ: 0 · cuối kỳ: 29 · tăng/giảm: +29" in out
    assert "Kết nạp: 29" in out


def test_table_is_the_default_format(commune):
    assert run("--org", "XT", "--period", "2025") == run("--org", "XT", "--period", "2025", "--format", "table")


@pytest.mark.parametrize("period", ["2020-2025", "2025", "2025-04", "2025-01-01..2025-06-30"])
def test_every_kind_of_period_is_understood(commune, period):
    data = json.loads(run("--org", "XT", "--period", period, "--format", "json"))
    assert data["period"]["key"] == periods.parse(period).key


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2020-2026", "Nhiệm kỳ phải dài 5 năm"),
        ("2025-13", "Tháng không hợp lệ"),
        ("2025-06-31..2025-07-01", "Ngày không hợp lệ"),
        ("2025-07-01..2025-06-01", "Ngày kết thúc trước ngày bắt đầu"),
        ("năm ngoái", "Không hiểu kỳ báo cáo"),
    ],
)
def test_a_bad_period_is_a_command_error_in_vietnamese(commune, period, message):
    with pytest.raises(CommandError, match=message):
        run("--org", "XT", "--period", period)


def test_an_unknown_organisation_is_a_command_error_in_vietnamese(db):
    with pytest.raises(CommandError, match="Không có tổ chức mã “KHONG”"):
        run("--org", "KHONG", "--period", "2025")


def test_a_bad_date_for_today_is_a_command_error(commune):
    with pytest.raises(CommandError, match="Ngày không hợp lệ"):
        call_command("progress_report", "--org", "XT", "--period", "2025", "--today", "15/01/2026")


def province_of(size: int):
    province = org(Level.PROVINCE, code=f"P{size}")
    quota(province, YEAR, 100)
    for _ in range(size):
        commune = org(Level.COMMUNE, province)
        quota(commune, YEAR, 10)
        cell = org(Level.CELL, commune)
        admit(cell, spread(size, YEAR.start, YEAR.end))
        trained_people(cell, 2, datetime.date(2025, 3, 10))
    return province


def test_the_command_runs_the_same_number_of_queries_for_a_small_and_a_large_province():
    counts = []
    for size in (2, 12):
        province_of(size)
        for fmt in ("json", "table"):
            with CaptureQueriesContext(connection) as ctx:
                run("--org", f"P{size}", "--period", "2025", "--format", fmt)
            counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] == counts[2] == counts[3]
    assert counts[0] <= 17  # the unit, then the report's fixed budget (with the unit's recorded terms)
