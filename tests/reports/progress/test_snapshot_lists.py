"""A snapshot keeps the report's long lists (the subtree's cells without admission, the dormant ones) apart
from the rest of its JSON: the dashboard reads their first entries and lengths, everything else the whole
lists, equal to a fresh computation (issue 15; reports/progress/snapshots.py, "Long lists")."""

import datetime
import json
from html import unescape
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Organisation
from members.vocabulary import Level
from reports.models import ProgressSnapshot
from reports.progress import jobs, periods, snapshots
from reports.progress.report import progress_report
from tests.factories import UserFactory, grant

from ..builders import admit, org
from ..pipeline_builders import history, trained_people

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "isolated_cache")]
TODAY = datetime.date(2026, 11, 23)
YEAR = periods.year(2026)
HEAD = 3  # LIST_HEAD in these tests: a list of more than three cells is stored apart
CELLS = 8


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 2, 0, tzinfo=datetime.UTC), tick=False):
        yield TODAY


@pytest.fixture
def head():
    with mock.patch.object(snapshots, "LIST_HEAD", HEAD):
        yield HEAD


@pytest.fixture
def province(head):
    """A province of two communes: eight cells, one of which admitted this year, one in 2020."""
    province = org(Level.PROVINCE)
    communes = [org(Level.COMMUNE, province) for _ in range(2)]
    cells = [org(Level.CELL, communes[i % 2], name=f"Chi bộ {i:02d}") for i in range(CELLS)]
    admit(cells[0], [datetime.date(2026, 3, 1)])
    admit(cells[1], [datetime.date(2020, 3, 1)])
    return province


def stored_row(unit, period=YEAR) -> ProgressSnapshot:
    return ProgressSnapshot.objects.get(organisation=unit, period_key=period.key, as_of=min(TODAY, period.end))


def fresh(unit, period=YEAR):
    return progress_report(unit, period, TODAY)


def test_the_recompute_stores_a_long_list_apart_and_keeps_its_head_and_length(province):
    snapshots.compute_and_store(province, YEAR, TODAY)
    row = stored_row(province)
    direct = fresh(province)
    assert len(direct.no_admission) == CELLS - 1 and len(direct.dormant_cells) == CELLS - 1
    assert row.data[snapshots.CUT_KEY] == {"no_admission": CELLS - 1, "dormant_cells": CELLS - 1}
    whole = json.loads(json.dumps(direct.as_json()))
    for key in snapshots.LONG_LISTS:
        assert row.data[key] == whole[key][:HEAD]
        assert row.lists[key] == whole[key]
    # Put back together, the stored JSON is the computed one, key for key (PostgreSQL's jsonb keeps no
    # order of keys; the report reads by key).
    assert snapshots.whole_json(row) == whole


def test_a_report_with_short_lists_is_stored_as_computed(head):
    commune = org(Level.COMMUNE)
    for _ in range(HEAD):
        org(Level.CELL, commune)
    snapshots.compute_and_store(commune, YEAR, TODAY)
    row = stored_row(commune)
    assert row.data == json.loads(json.dumps(fresh(commune).as_json()))
    assert row.lists == {}


def test_the_job_writes_the_lists_in_the_same_statements_and_reads_back_the_fresh_report(province):
    units = list(Organisation.objects.filter(path__startswith=province.path).values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as ctx:
        run_id = jobs.start_recompute(org_ids=units, today=TODAY)
    assert jobs.run_progress(run_id).finished
    writes = [q["sql"] for q in ctx.captured_queries if "reports_progresssnapshot" in q["sql"]]
    assert not any(sql.startswith("UPDATE") for sql in writes)  # no second statement per row for the lists
    for period in snapshots.standard_periods(TODAY):
        stored = snapshots.report_for(province, period, TODAY)
        assert stored.from_snapshot
        assert stored.report == fresh(province, period)


def test_the_dashboards_read_leaves_the_whole_lists_in_the_database(province):
    snapshots.compute_and_store(province, YEAR, TODAY)
    with CaptureQueriesContext(connection) as ctx:
        stored = snapshots.report_for(province, YEAR, TODAY, whole_lists=False)
    assert len(ctx.captured_queries) == 1
    assert '"lists"' not in ctx.captured_queries[0]["sql"]
    direct = fresh(province)
    assert stored.from_snapshot
    for key in snapshots.LONG_LISTS:
        assert getattr(stored.report, key) == getattr(direct, key)[:HEAD]
        assert stored.length(key) == len(getattr(direct, key)) == CELLS - 1
    # Everything but the long lists is the fresh report's.
    assert stored.report.children == direct.children and stored.report.quotas == direct.quotas
    # The whole read has them all.
    assert snapshots.report_for(province, YEAR, TODAY).report == direct


def test_a_province_dashboard_reads_a_few_kilobytes_in_one_query_of_the_snapshots(client, head):
    """Sixty idle cells of long names: the page reads the snapshot's data, a few kilobytes whatever the
    number of cells, in one query that leaves the whole lists out."""
    province = org(Level.PROVINCE)
    commune = org(Level.COMMUNE, province)
    for i in range(60):
        org(Level.CELL, commune, name=f"Chi bộ số {i:03d} có một cái tên khá dài như ngoài đời thường gặp")
    snapshots.compute_and_store(province, YEAR, TODAY)
    row = stored_row(province)
    whole = len(json.dumps(snapshots.whole_json(row), ensure_ascii=False))
    read = len(json.dumps(row.data, ensure_ascii=False))
    assert read < 9_000 and whole > 2 * read  # the rest of the report is some 7 KB
    user = UserFactory()
    grant(user, province, "board_staff")
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("reports:dashboard", args=[province.pk]), {"ky": YEAR.key})
    assert response.status_code == 200
    reads = [q["sql"] for q in ctx.captured_queries if 'FROM "reports_progresssnapshot"' in q["sql"]]
    # One for the time it was computed (the key of the page's kept part, partyhub/pagecache.py), one for
    # the report itself; neither reads the lists.
    assert len(reads) == 2 and not any('"lists"' in sql for sql in reads)
    assert sum('"data"' in sql for sql in reads) == 1
    dash = response.context["dash"]
    assert dash.no_admission_count == dash.dormant_count == 60
    assert len(dash.no_admission) == len(dash.dormant) == HEAD
    body = response.content.decode()
    assert "60 chi bộ chưa kết nạp" in body and f"Hiện {HEAD} chi bộ đầu tiên" in body
    assert reverse("reports:dashboard_cells", args=[province.pk, "chua-ket-nap"]) in body
    assert reverse("reports:dashboard_cells", args=[province.pk, "nhieu-nam-chua-ket-nap"]) in body


def test_the_dashboard_shows_no_more_cells_than_the_snapshot_keeps():
    from reports.dashboard.selectors import CELLS_SHOWN

    assert CELLS_SHOWN <= snapshots.LIST_HEAD


def test_the_see_all_page_lists_every_cell_from_the_stored_list_a_page_at_a_time(client, province):
    snapshots.compute_and_store(province, YEAR, TODAY)
    user = UserFactory()
    grant(user, province, "board_staff")
    client.force_login(user)
    url = reverse("reports:dashboard_cells", args=[province.pk, "nhieu-nam-chua-ket-nap"])
    with mock.patch("reports.dashboard.views.CELLS_PER_PAGE", 5):
        first = client.get(url, {"ky": YEAR.key})
        second = client.get(url, {"ky": YEAR.key, "trang": 2})
    names = [u.name for u in first.context["page"].object_list] + [u.name for u in second.context["page"].object_list]
    assert names == [u.name for u in fresh(province).dormant_cells]
    assert "chưa có lần nào được ghi nhận" in first.content.decode()
    assert "lần cuối 01/03/2020" in first.content.decode() + second.content.decode()
    assert client.get(reverse("reports:dashboard_cells", args=[province.pk, "khac"])).status_code == 404


def test_the_see_all_page_is_only_for_those_who_see_the_unit(client, province):
    snapshots.compute_and_store(province, YEAR, TODAY)
    stranger = UserFactory()
    grant(stranger, org(Level.COMMUNE), "board_staff")
    client.force_login(stranger)
    response = client.get(reverse("reports:dashboard_cells", args=[province.pk, "chua-ket-nap"]))
    assert response.status_code == 404


def test_whole_list_reads_one_list_whole_and_the_other_as_its_head(province):
    snapshots.compute_and_store(province, YEAR, TODAY)
    direct = fresh(province)
    stored = snapshots.whole_list(province, YEAR, TODAY, "no_admission")
    assert stored.report.no_admission == direct.no_admission
    assert stored.report.dormant_cells == direct.dormant_cells[:HEAD]
    assert stored.length("dormant_cells") == len(direct.dormant_cells)
    assert stored.length("no_admission") == len(direct.no_admission)


def test_a_snapshot_whose_lists_do_not_fit_its_head_is_computed_again(province):
    snapshots.compute_and_store(province, YEAR, TODAY)
    row = stored_row(province)
    row.lists = {"dormant_cells": row.lists["dormant_cells"]}  # the list of cells without admission is lost
    row.save(update_fields=["lists"])
    stored = snapshots.report_for(province, YEAR, TODAY)
    assert not stored.from_snapshot and stored.report == fresh(province)
    assert snapshots.whole_json(stored_row(province)) == json.loads(json.dumps(fresh(province).as_json()))


def test_a_snapshot_stored_whole_before_the_lists_were_kept_apart_still_reads(province):
    """A snapshot written before `lists` (its data is the whole report): read as it is, by both readers."""
    snapshots.compute_and_store(province, YEAR, TODAY)
    direct = fresh(province)
    ProgressSnapshot.objects.filter(organisation=province).update(data=direct.as_json(), lists={})
    assert snapshots.report_for(province, YEAR, TODAY).report == direct
    light = snapshots.report_for(province, YEAR, TODAY, whole_lists=False)
    assert light.from_snapshot and light.report == direct and light.length("no_admission") == CELLS - 1
    assert snapshots.whole_list(province, YEAR, TODAY, "no_admission").report == direct


def test_the_stalled_candidates_waits_are_stored_apart_and_the_dashboard_counts_them_all(client, head):
    """Five candidates stuck past the usual time: the page reads three of their waits and says five."""
    commune = org(Level.COMMUNE)
    a_cell = org(Level.CELL, commune)
    past = trained_people(a_cell, 8, datetime.date(2024, 1, 10))
    for days, c in zip([100, 110, 115, 120, 120, 125, 130, 140], past, strict=True):
        history([c], decided_after_days=days)
    for waited in (395, 300, 250, 200, 190):
        trained_people(a_cell, 1, TODAY - datetime.timedelta(days=waited))
    snapshots.compute_and_store(commune, YEAR, TODAY)
    row = stored_row(commune)
    direct = fresh(commune)
    (group,) = direct.forecast.stalled
    assert group.waited_days == (395, 300, 250, 200, 190)
    assert row.data[snapshots.CUT_KEY] == {snapshots.STALLED: 5}
    assert row.data["forecast"]["stalled"][0]["waited_days"] == [395, 300, 250]
    assert snapshots.whole_json(row) == json.loads(json.dumps(direct.as_json()))
    assert snapshots.report_for(commune, YEAR, TODAY).report == direct
    light = snapshots.report_for(commune, YEAR, TODAY, whole_lists=False).report
    assert light.forecast.stalled[0].waited_days == (395, 300, 250)
    assert light.forecast.by_stage == direct.forecast.by_stage

    user = UserFactory()
    grant(user, commune, "board_staff")
    client.force_login(user)
    body = client.get(reverse("reports:dashboard", args=[commune.pk]), {"ky": YEAR.key}).content.decode()
    assert "5 người đã chờ quá thời gian thường lệ (395, 300, 250, … ngày" in unescape(body)
