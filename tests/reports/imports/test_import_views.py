"""Excel import from the browser: who may upload, what a refused or a good file shows, the downloads,
the background path behind a progress bar, and how long the uploaded files are kept."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from members.models import Organisation, RoleAssignment
from members.vocabulary import Role
from reports.imports import jobs as import_jobs
from reports.imports import reader
from reports.imports.columns import MEMBERS, ORGANISATIONS, QUOTAS, SHEETS
from reports.imports.tasks import run_import
from reports.models import ImportRun, ImportStatus, Quota
from tests.factories import UserFactory, grant
from tests.reports.workbooks import workbook_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "isolated_cache")]
HTMX = {"HTTP_HX_REQUEST": "true"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

NEW_CELL = {
    "code": "X-D",
    "name": "Chi bộ thôn Đông",
    "level": "Chi bộ trực thuộc",
    "sector": "Nông thôn, khu dân cư",
    "parent_code": "X",
}
ORPHAN = {**NEW_CELL, "code": "X-E", "name": "Chi bộ thôn Tây", "parent_code": "KHONG-CO"}


def member_row(n: int, cell="X-D") -> dict:
    return {
        "citizen_id": f"0010850{n:05d}",
        "full_name": f"Nguyễn Văn Thành {n}",
        "gender": "Nam",
        "date_of_birth": "15/03/1985",
        "cell_code": cell,
        "admission_decision_date": "12/05/2010",
        "ceremony_date": "20/05/2010",
        "recognition_date": "20/05/2011",
    }


def quota_row(code="X-D", value=2) -> dict:
    return {
        "organisation_code": code,
        "period": "2026",
        "source": "Cấp trên giao",
        "metric": "Kết nạp đảng viên",
        "value_kind": "Số cụ thể",
        "value": value,
    }


def good_workbook() -> bytes:
    return workbook_bytes({ORGANISATIONS: [NEW_CELL], MEMBERS: [member_row(1), member_row(2)], QUOTAS: [quota_row()]})


def bad_workbook() -> bytes:
    """A unit whose parent code does not exist, and a quota for it: two rows, one refused."""
    return workbook_bytes({ORGANISATIONS: [ORPHAN], QUOTAS: [quota_row("X", 5)]})


def domain_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in ("members", "recruitment", "reports")
        for model in apps.get_app_config(app).get_models()
        if model is not ImportRun
    }


def upload_url(org) -> str:
    return reverse("reports:import_upload", args=[org.pk])


def run_url(run) -> str:
    return reverse("reports:import_run", args=[run.pk])


def upload(client, org, data: bytes, name="du-lieu.xlsx", **fields):
    return client.post(upload_url(org), {"file": SimpleUploadedFile(name, data, content_type=XLSX), **fields})


def latest_run() -> ImportRun:
    return ImportRun.objects.latest("pk")


# --- a good file, a refused file, a dry run ------------------------------------------------------------


def test_the_commune_board_imports_a_good_workbook_and_is_sent_to_the_new_figures(client, cast):
    client.force_login(cast.commune_board)
    response = upload(client, cast.commune_x, good_workbook())
    run = latest_run()
    assert response.status_code == 302 and response.url == run_url(run)
    assert run.status == ImportStatus.DONE and run.rows_total == 4 and run.created_by == cast.commune_board

    page = client.get(run_url(run)).content.decode()
    assert "Đã nhập xong." in page
    assert reverse("reports:dashboard", args=[cast.commune_x.pk]) in page
    assert 'id="import-counts"' in page and "Không có dữ liệu nào được ghi" not in page
    assert 'role="progressbar"' not in page  # imported within the upload: no bar to follow
    new_cell = Organisation.objects.get(code="X-D")
    assert new_cell.path.startswith(cast.commune_x.path)
    assert new_cell.members.count() == 2
    assert Quota.objects.filter(organisation=new_cell, value=2).exists()
    assert "4 dòng đã được ghi vào PartyHub." in page

    # The same file again: nothing new, and the page says so rather than "written".
    upload(client, cast.commune_x, good_workbook())
    again = client.get(run_url(latest_run())).content.decode()
    assert "Không có gì mới: cả 4 dòng đều đã có sẵn trong PartyHub" in again
    assert new_cell.members.count() == 2


def test_a_refused_workbook_shows_every_problem_row_by_row_and_writes_nothing(client, cast):
    before = domain_counts()
    client.force_login(cast.commune_board)
    upload(client, cast.commune_x, bad_workbook())
    run = latest_run()
    assert run.status == ImportStatus.REFUSED

    page = client.get(run_url(run)).content.decode()
    assert "Không có dữ liệu nào được ghi." in page
    assert 'id="import-issues"' in page
    issue = import_jobs.result_of(run).issues[0]
    assert (issue.sheet, issue.row, issue.column, issue.value) == ("Tổ chức", 2, "Mã tổ chức cấp trên", "KHONG-CO")
    for text in (issue.sheet, issue.column, issue.value, issue.rule):
        assert text in page
    assert reverse("reports:import_marked", args=[run.pk]) in page
    assert domain_counts() == before


def test_the_marked_workbook_carries_each_message_beside_its_row(client, cast):
    client.force_login(cast.commune_board)
    upload(client, cast.commune_x, bad_workbook(), name="Dữ liệu xã.xlsx")
    run = latest_run()
    response = client.get(reverse("reports:import_marked", args=[run.pk]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert 'filename="du-lieu-xa-loi.xlsx"' in response["Content-Disposition"]

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book[ORGANISATIONS.title]
    error_column = [c.value for c in sheet[1]].index("Lỗi") + 1
    issue = import_jobs.result_of(run).issues[0]
    assert issue.message in sheet.cell(row=2, column=error_column).value


def test_a_background_run_leaves_its_marked_workbook_made_by_the_worker(
    client, cast, settings, django_capture_on_commit_callbacks
):
    settings.PARTYHUB_IMPORT_ASYNC_ROWS = 0
    client.force_login(cast.commune_board)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, cast.commune_x, bad_workbook())
    run = latest_run()
    assert run.background and run.status == ImportStatus.REFUSED
    assert run.marked is not None
    # The page serves the stored workbook as it is (the file itself is no longer needed for it).
    ImportRun.objects.filter(pk=run.pk).update(content=b"not a workbook any more")
    response = client.get(reverse("reports:import_marked", args=[run.pk]))
    assert response.status_code == 200 and b"".join(
        response.streaming_content if response.streaming else [response.content]
    ) == bytes(run.marked)
    import_jobs.purge_old_runs(now=timezone.now() + datetime.timedelta(days=import_jobs.KEEP_DAYS + 1))
    run.refresh_from_db()
    assert run.marked is None and run.content is None


def test_a_dry_run_checks_the_file_and_writes_nothing(client, cast):
    before = domain_counts()
    client.force_login(cast.commune_board)
    upload(client, cast.commune_x, good_workbook(), dry_run="on")
    run = latest_run()
    assert run.status == ImportStatus.DONE and run.dry_run
    page = client.get(run_url(run)).content.decode()
    assert "Tệp hợp lệ, không có lỗi." in page and "Đã nhập xong." not in page
    assert domain_counts() == before


# --- files refused as a whole ---------------------------------------------------------------------


def test_a_csv_renamed_to_xlsx_is_refused_with_a_clear_message(client, cast):
    client.force_login(cast.commune_board)
    upload(client, cast.commune_x, "Mã tổ chức,Tên tổ chức\nX-D,Chi bộ\n".encode())
    run = latest_run()
    assert run.status == ImportStatus.REFUSED
    page = client.get(run_url(run)).content.decode()
    assert "không phải bảng tính Excel .xlsx" in page and "Không có dữ liệu nào được ghi." in page


def test_a_formula_where_a_value_belongs_is_reported_on_its_row(client, cast):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = QUOTAS.title
    sheet.append(QUOTAS.headers)
    sheet.append([quota_row("X").get(c.key) for c in QUOTAS.columns])
    sheet.cell(row=2, column=QUOTAS.headers.index("Số lượng / cận dưới") + 1, value="=1+1")
    stream = io.BytesIO()
    book.save(stream)
    client.force_login(cast.commune_board)
    upload(client, cast.commune_x, stream.getvalue())
    assert latest_run().status == ImportStatus.REFUSED
    assert "công thức" in client.get(run_url(latest_run())).content.decode()
    assert not Quota.objects.exists()


def test_a_workbook_with_more_rows_than_an_import_may_hold_is_refused_as_a_whole(client, cast, monkeypatch):
    # The real limit is 50,000 rows; a small one keeps the test fast and takes the same path.
    monkeypatch.setattr(reader, "MAX_ROWS", 3)
    client.force_login(cast.commune_board)
    upload(client, cast.commune_x, workbook_bytes({QUOTAS: [quota_row("X", n) for n in range(5)]}))
    run = latest_run()
    assert run.status == ImportStatus.REFUSED and import_jobs.result_of(run).refused_file
    assert "Tệp có hơn 3 dòng dữ liệu" in client.get(run_url(run)).content.decode()
    assert not Quota.objects.exists()


def test_a_large_file_of_unknown_size_is_read_by_the_worker_not_in_the_request(
    client, cast, monkeypatch, django_capture_on_commit_callbacks
):
    # openpyxl's write-only mode records no sheet dimensions: a large such file is not counted in the
    # request but sent to the worker (eager here), which refuses it whole when it is over the limit.
    from reports.imports import service

    monkeypatch.setattr(reader, "MAX_ROWS", 3)
    monkeypatch.setattr(service, "COUNT_BYTES", 0)
    client.force_login(cast.commune_board)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(QUOTAS.title)
    sheet.append(QUOTAS.headers)
    for n in range(5):
        sheet.append([quota_row("X", n).get(c.key) for c in QUOTAS.columns])
    stream = io.BytesIO()
    book.save(stream)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, cast.commune_x, stream.getvalue())
    run = latest_run()
    assert run.background
    assert run.status == ImportStatus.REFUSED and import_jobs.result_of(run).refused_file
    assert "Tệp có hơn 3 dòng dữ liệu" in client.get(run_url(run)).content.decode()
    assert not Quota.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("du-lieu.csv", b"a,b\n1,2\n", "Chỉ nhận tệp Excel .xlsx"),
        ("du-lieu.xls", b"\xd0\xcf\x11\xe0", "Chỉ nhận tệp Excel .xlsx"),
        ("du-lieu.xlsx", b"", "Tệp tải lên không có nội dung."),
    ],
)
def test_a_file_of_another_kind_or_an_empty_one_gets_a_form_error(client, cast, name, data, message):
    client.force_login(cast.commune_board)
    response = upload(client, cast.commune_x, data, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_post_without_a_file_asks_for_one(client, cast):
    client.force_login(cast.commune_board)
    response = client.post(upload_url(cast.commune_x), {})
    assert response.status_code == 400
    assert "Hãy chọn một tệp Excel .xlsx để tải lên." in response.content.decode()


def test_a_file_over_the_size_limit_is_refused_naming_the_limit_in_megabytes(client, cast, settings):
    settings.PARTYHUB_IMPORT_MAX_BYTES = 1024 * 1024
    client.force_login(cast.commune_board)
    response = upload(client, cast.commune_x, b"x" * (1024 * 1024 + 600 * 1024))
    assert response.status_code == 400
    assert "Tệp nặng 1,6 MB, vượt giới hạn 1 MB của một lần nhập" in response.content.decode()
    assert not ImportRun.objects.exists()


# --- downloads ---------------------------------------------------------------------------------------


def test_the_template_is_a_real_workbook_with_every_sheet_and_its_headers(client, cast):
    client.force_login(cast.sec_a)
    response = client.get(reverse("reports:import_template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    for spec in SHEETS:
        assert [c.value for c in book[spec.title][1]][: len(spec.headers)] == spec.headers


def test_the_marked_workbook_of_an_unfinished_run_is_not_offered(client, cast):
    client.force_login(cast.commune_board)
    run = ImportRun.objects.create(created_by=cast.commune_board, organisation=cast.commune_x, filename="a.xlsx")
    response = client.get(reverse("reports:import_marked", args=[run.pk]))
    assert response.status_code == 302 and response.url == run_url(run)


# --- who may import and see a run ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "unit", "status"),
    [
        ("commune_board", "commune_x", 200),
        ("commune_board", "cell_a", 200),
        ("province_board", "commune_x", 200),
        ("commune_sec", "commune_x", 403),
        ("sec_a", "cell_a", 403),
        ("commune_board", "commune_y", 404),
        ("outsider", "commune_x", 404),
    ],
)
def test_only_board_staff_and_administrators_may_upload_within_their_subtree(client, cast, user, unit, status):
    client.force_login(getattr(cast, user))
    org = getattr(cast, unit)
    assert client.get(upload_url(org)).status_code == status
    assert upload(client, org, good_workbook()).status_code == (302 if status == 200 else status)
    assert ImportRun.objects.exists() == (status == 200)


def test_an_administrator_role_and_a_superuser_may_upload(client, cast):
    admin = UserFactory(username="quan-tri-xa")
    grant(admin, cast.commune_x, Role.ADMINISTRATOR)
    client.force_login(admin)
    assert client.get(upload_url(cast.cell_b)).status_code == 200
    root = UserFactory(username="root", is_superuser=True)
    client.force_login(root)
    assert client.get(upload_url(cast.commune_y)).status_code == 200


def test_a_run_is_seen_by_its_uploader_only(client, cast, django_user_model):
    client.force_login(cast.commune_board)
    upload(client, cast.commune_x, bad_workbook())
    run = latest_run()
    urls = [run_url(run), reverse("reports:import_marked", args=[run.pk])]
    for name in ("province_board", "commune_sec", "sec_a", "outsider"):
        client.force_login(getattr(cast, name))
        assert [client.get(url).status_code for url in urls] == [404, 404], name
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    assert [client.get(url).status_code for url in urls] == [200, 200]


def test_the_upload_page_lists_the_users_own_recent_runs_of_this_unit(client, cast):
    client.force_login(cast.province_board)
    upload(client, cast.commune_x, bad_workbook(), name="cua-tinh.xlsx")
    client.force_login(cast.commune_board)
    upload(client, cast.commune_x, bad_workbook(), name="cua-xa.xlsx")
    upload(client, cast.cell_a, bad_workbook(), name="cua-chi-bo.xlsx")
    page = client.get(upload_url(cast.commune_x)).content.decode()
    assert "cua-xa.xlsx" in page
    assert "cua-tinh.xlsx" not in page and "cua-chi-bo.xlsx" not in page


@pytest.mark.calendar  # the dashboard of this term and year
def test_the_dashboard_offers_the_import_to_board_staff_only(client, cast):
    link = upload_url(cast.commune_x)
    client.force_login(cast.commune_board)
    assert link in client.get(reverse("reports:dashboard", args=[cast.commune_x.pk])).content.decode()
    client.force_login(cast.commune_sec)
    assert link not in client.get(reverse("reports:dashboard", args=[cast.commune_x.pk])).content.decode()


# --- the background path and its progress bar ---------------------------------------------------------


def test_a_large_import_is_queued_after_the_commit_and_followed_by_a_progress_bar(
    client, cast, settings, django_capture_on_commit_callbacks
):
    settings.PARTYHUB_IMPORT_ASYNC_ROWS = 0
    client.force_login(cast.commune_board)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        upload(client, cast.commune_x, good_workbook())
    run = latest_run()
    assert run.status == ImportStatus.QUEUED and len(queued) == 1

    page = client.get(run_url(run)).content.decode()
    assert 'role="progressbar"' in page and 'aria-valuenow="0"' in page
    assert f'hx-get="{run_url(run)}"' in page

    queued[0]()  # the worker (eager Celery) takes it
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE
    assert Organisation.objects.filter(code="X-D").exists()
    poll = client.get(run_url(run), **HTMX)
    assert poll["HX-Refresh"] == "true" and 'aria-valuenow="100"' in poll.content.decode()
    page = client.get(run_url(run)).content.decode()
    assert 'aria-valuenow="100"' in page and f'hx-get="{run_url(run)}"' not in page and "Đã nhập xong." in page


def test_the_bar_shows_the_progress_the_worker_published(client, cast):
    run = ImportRun.objects.create(
        created_by=cast.commune_board,
        organisation=cast.commune_x,
        filename="a.xlsx",
        status=ImportStatus.RUNNING,
        started_at=timezone.now(),
        rows_total=10,
    )
    import_jobs.set_progress(run.pk, 4, 10)
    client.force_login(cast.commune_board)
    poll = client.get(run_url(run), **HTMX)
    body = poll.content.decode()
    assert 'aria-valuenow="40"' in body and "4/10" in body
    assert "HX-Refresh" not in poll


def test_a_task_delivered_twice_imports_once(client, cast, settings, django_capture_on_commit_callbacks):
    settings.PARTYHUB_IMPORT_ASYNC_ROWS = 0
    client.force_login(cast.commune_board)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, cast.commune_x, good_workbook())
    run = latest_run()
    assert run.status == ImportStatus.DONE
    assert run_import.delay(run.pk).get() is None
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE


def test_a_run_whose_uploader_lost_the_role_while_it_waited_fails_and_writes_nothing(
    client, cast, settings, django_capture_on_commit_callbacks
):
    settings.PARTYHUB_IMPORT_ASYNC_ROWS = 0
    client.force_login(cast.commune_board)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        upload(client, cast.commune_x, good_workbook())
    RoleAssignment.objects.filter(user=cast.commune_board).delete()
    before = domain_counts()
    queued[0]()
    run = latest_run()
    assert run.status == ImportStatus.FAILED and run.error
    assert domain_counts() == before
    page = client.get(run_url(run)).content.decode()
    assert "Không có dữ liệu nào được ghi." in page


def test_a_run_that_crashes_is_marked_failed_rather_than_raising(cast):
    # A run without its file cannot be read: the engine's error becomes the run's failure.
    run = ImportRun.objects.create(created_by=cast.commune_board, organisation=cast.commune_x, filename="a.xlsx")
    assert run_import.delay(run.pk).get() == ImportStatus.FAILED
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and "TypeError" in run.error and run.finished_at


def test_a_run_left_running_by_a_dead_worker_shows_as_failed_after_the_time_limit(client, cast):
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=2)):
        run = ImportRun.objects.create(
            created_by=cast.commune_board,
            organisation=cast.commune_x,
            filename="a.xlsx",
            status=ImportStatus.RUNNING,
            started_at=timezone.now(),
        )
    client.force_login(cast.commune_board)
    page = client.get(run_url(run)).content.decode()
    assert "Không có dữ liệu nào được ghi." in page
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED


# --- keeping the files only as long as needed --------------------------------------------------------


def test_the_next_upload_clears_the_files_and_values_of_runs_older_than_30_days(client, cast):
    client.force_login(cast.commune_board)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=31)):
        upload(client, cast.commune_x, bad_workbook(), name="cu.xlsx")
    old = latest_run()
    upload(client, cast.commune_x, bad_workbook(), name="moi.xlsx")
    new = latest_run()

    old.refresh_from_db()
    assert old.content is None and old.purged_at and old.result["issues"] == []
    assert import_jobs.issue_count(old) == 1
    new.refresh_from_db()
    assert new.content is not None and new.purged_at is None

    response = client.get(reverse("reports:import_marked", args=[old.pk]))
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "nay đã xóa" in page and "Có 1 lỗi" in page


# --- cost ------------------------------------------------------------------------------------------


def test_the_run_page_reads_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    rows = [{**ORPHAN, "code": f"X-E{n}"} for n in range(30)]
    client.force_login(cast.commune_board)
    upload(client, cast.commune_x, workbook_bytes({ORGANISATIONS: rows}))
    run = latest_run()
    assert import_jobs.issue_count(run) == 30
    with django_assert_max_num_queries(4):
        response = client.get(run_url(run))
    body = response.content.decode()
    assert body.count("issue-value") == 30 and body.count(">KHONG-CO</td>") == 30


def test_the_upload_page_reads_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    client.force_login(cast.commune_board)
    for n in range(5):
        upload(client, cast.cell_a, bad_workbook(), name=f"lan-{n}.xlsx")
    with django_assert_max_num_queries(6):
        response = client.get(upload_url(cast.cell_a))
    assert response.content.decode().count("lan-") == 5


def test_the_administrator_sees_every_run_and_the_error_of_a_failed_one(client, cast, django_user_model):
    client.force_login(cast.commune_board)
    upload(client, cast.commune_x, bad_workbook(), name="loi.xlsx")
    run = latest_run()
    ImportRun.objects.filter(pk=run.pk).update(error="Worker lost")
    admin = django_user_model.objects.create_superuser("root", "root@example.vn", "pw-123456789")
    client.force_login(admin)
    page = client.get(reverse("admin:reports_importrun_changelist")).content.decode()
    assert "loi.xlsx" in page and "Worker lost" in page
    detail = client.get(reverse("admin:reports_importrun_change", args=[run.pk]))
    assert detail.status_code == 200
    assert client.get(reverse("admin:reports_importrun_add")).status_code == 403
