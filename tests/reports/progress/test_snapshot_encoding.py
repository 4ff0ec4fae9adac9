"""The snapshots' JSON text (reports/progress/snapshots.py::encode, by orjson) is the document `json.dumps`
gives, and PostgreSQL compresses it with lz4 (migration reports/0011)."""

import datetime
import json

import pytest
from django.db import connection

from members.models import Organisation
from reports.progress import snapshots
from reports.progress.report import progress_report

from .test_province_pass import province_of

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


@pytest.mark.parametrize(
    "value",
    [
        {"label": "Tổng số đảng viên kết nạp", "emoji": "✓", "quote": 'a "b" \\ c\n'},
        {"1": 2, 3: [0.1 + 0.2, 1e-7, 123456789012345678, -0.0, None, True, False]},
        {"nested": [{"x": []}, {}, [[], [1.5]]], "empty": ""},
    ],
)
def test_the_text_is_the_document_json_dumps_gives(value):
    assert json.loads(snapshots._dumps(value)) == json.loads(json.dumps(value))


def test_every_report_of_a_province_encodes_to_its_json():
    province = province_of(2, 3)
    for unit in Organisation.objects.filter(path__startswith=province.path):
        for period in snapshots.standard_periods(TODAY):
            report = progress_report(unit, period, TODAY)
            row = snapshots.encode(unit, period, report)
            stored = snapshots.columns(report)
            assert json.loads(row.data) == json.loads(json.dumps(stored["data"]))
            assert json.loads(row.lists) == json.loads(json.dumps(stored["lists"]))
            assert (row.organisation_id, row.period_key, row.as_of) == (unit.pk, period.key, report.as_of)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TOAST compression is PostgreSQL's")
def test_postgresql_compresses_the_snapshots_json_with_lz4():
    with connection.cursor() as cursor:
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        if "lz4" not in cursor.fetchone()[0]:
            pytest.skip("this PostgreSQL is built without lz4")
        cursor.execute(
            "SELECT attname, attcompression FROM pg_attribute "
            "WHERE attrelid = 'reports_progresssnapshot'::regclass AND attname IN ('data', 'lists')"
        )
        assert dict(cursor.fetchall()) == {"data": "l", "lists": "l"}
