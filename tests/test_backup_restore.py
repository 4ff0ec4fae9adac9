"""`manage.py backup` / `manage.py restore` (make backup / make restore): a backup restored into an empty
database gives the same progress figures. SQLite on pass 1; on PostgreSQL (CI's pass 2) the same test
goes through pg_dump and pg_restore into a database of its own, created empty and dropped after."""

import datetime
import io
import json
import os
import re
import stat
import subprocess
import sys
import zoneinfo
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from members.models import Organisation
from members.vocabulary import Level
from partyhub import backups
from reports.progress import periods
from reports.progress.report import progress_report
from tests.reports.builders import admit, org, quota, spread
from tests.reports.pipeline_builders import trained_people

ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2026, 12, 5)
YEAR = periods.year(2026)
# 09:30:15 in Vietnam on TODAY: the backup's name carries the local date and time.
BACKUP_TIME = datetime.datetime(2026, 12, 5, 9, 30, 15, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))


def build_province() -> Organisation:
    """A province with a district, communes and cells, admissions this year and last, people trained
    and waiting, a quota: enough for every section of the report to carry figures."""
    province = org(Level.PROVINCE, code="BK", name="Tỉnh Sao Lưu")
    district = org(Level.DISTRICT, province, name="Huyện Phục Hồi")
    commune = org(Level.COMMUNE, district, name="Xã Đông")
    east = org(Level.CELL, commune, name="Chi bộ thôn Đông")
    west = org(Level.CELL, commune, name="Chi bộ thôn Tây")
    admit(east, spread(7, datetime.date(2026, 1, 10), datetime.date(2026, 11, 20)))
    admit(west, [datetime.date(2025, 6, 1), datetime.date(2026, 3, 3)], gender="female", ethnicity="Tày")
    trained_people(west, 3, datetime.date(2026, 5, 10))
    quota(province, YEAR, 20)
    quota(commune, YEAR, 9)
    return province


# One process against the other database: restore the backup into it (empty), print the report, then
# restore again over the now full database (pg_restore's --clean path) and print the report again.
RESTORE_AND_REPORT = """
import io, json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyhub.settings")
django.setup()
from django.core.management import call_command
reports = []
for _ in range(2):
    out = io.StringIO()
    call_command("restore", sys.argv[1], "--yes", stdout=out)
    assert "Đã phục hồi" in out.getvalue(), out.getvalue()
    out = io.StringIO()
    args = ("--org", "BK", "--period", "2026", "--today", "2026-12-05", "--format", "json")
    call_command("progress_report", *args, stdout=out)
    reports.append(json.loads(out.getvalue()))
print(json.dumps(reports, ensure_ascii=False))
"""


def restored_reports(database_url: str, backup: Path) -> list[dict]:
    """The two reports RESTORE_AND_REPORT prints, run against `database_url` (development mode, no Redis)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG")}
    env["DATABASE_URL"] = database_url
    result = subprocess.run(
        [sys.executable, "-c", RESTORE_AND_REPORT, str(backup)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


@pytest.fixture(autouse=True)
def media(tmp_path, settings) -> Path:
    """Uploaded files in a directory of this test's own (never the checkout's var/media)."""
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    return root


@pytest.fixture
def empty_database(tmp_path):
    """The URL of an empty database of the kind the suite runs on."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(str(settings_dict["PASSWORD"] or ""), safe="")
    yield f"postgres://{user}:{password}@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)  # committed, so pg_dump's own connection sees the data
def test_a_backup_restored_into_an_empty_database_gives_the_same_progress_figures(tmp_path, empty_database):
    province = build_province()
    expected = json.loads(json.dumps(progress_report(province, YEAR, TODAY).as_json(), ensure_ascii=False))
    # The figures are not trivially equal: admissions, quotas and the pipeline all count something.
    assert expected["admissions"]["period"] == 8
    assert expected["quotas"] and expected["children"]

    out = io.StringIO()
    with time_machine.travel(BACKUP_TIME, tick=False):
        call_command("backup", "--dir", str(tmp_path / "backups"), stdout=out)
    (path,) = (tmp_path / "backups").iterdir()
    suffix = ".sqlite3" if connection.vendor == "sqlite" else ".dump"
    assert path.name == f"partyhub-2026-12-05-093015{suffix}"
    assert str(path) in out.getvalue()
    # Personal data: the file and its folder are their owner's only.
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700

    assert restored_reports(empty_database, path) == [expected, expected]


@pytest.mark.django_db(transaction=True)
def test_two_backups_in_the_same_second_get_two_files(tmp_path):
    with time_machine.travel(BACKUP_TIME, tick=False):
        first = backups.backup(tmp_path)
        second = backups.backup(tmp_path)
    assert first != second
    assert second.name == first.name.replace("093015", "093015-2")


@pytest.mark.django_db
def test_restore_without_a_file_refuses():
    with pytest.raises(CommandError, match="Chưa chỉ tệp sao lưu"):
        call_command("restore")


@pytest.mark.django_db
def test_restore_asks_first_and_a_no_changes_nothing(tmp_path, monkeypatch):
    org(Level.PROVINCE, code="KEEP")
    backup_file = tmp_path / "partyhub-old.sqlite3"
    backup_file.write_bytes(backups.MAGIC[backups.database_kind()] + b"\0" * 100)
    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "no")
    with pytest.raises(CommandError, match="Đã hủy"):
        call_command("restore", str(backup_file), stdout=io.StringIO())
    assert asked == ["Gõ yes để tiếp tục: "]
    assert Organisation.objects.filter(code="KEEP").exists()


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_a_backup_of_this_kind_of_database(tmp_path):
    other = backups.POSTGRESQL if backups.database_kind() == backups.SQLITE else backups.SQLITE
    wrong = tmp_path / "partyhub-2026-12-05-093015.bak"
    wrong.write_bytes(backups.MAGIC[other] + b"\0" * 100)
    with pytest.raises(CommandError, match=f"là bản sao lưu {backups.KIND_LABEL[other]}"):
        call_command("restore", str(wrong), "--yes")
    garbage = tmp_path / "notes.txt"
    garbage.write_text("không phải cơ sở dữ liệu", encoding="utf-8")
    with pytest.raises(CommandError, match="không phải bản sao lưu của PartyHub"):
        call_command("restore", str(garbage), "--yes")


def test_make_restore_needs_file_and_passes_confirm_yes_only():
    # Not the variables of an enclosing `make test` (its command-line variables travel in MAKEFLAGS).
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "FILE", "CONFIRM")}
    missing = subprocess.run(["make", "-s", "restore"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0
    assert "FILE=" in missing.stdout + missing.stderr

    def planned(*args: str) -> str:
        return subprocess.run(
            ["make", "-n", "restore", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
        ).stdout

    assert re.search(r"manage\.py restore .*backups/x\.dump.* --yes", planned("FILE=backups/x.dump", "CONFIRM=yes"))
    assert "--yes" not in planned("FILE=backups/x.dump")
    assert "--yes" not in planned("FILE=backups/x.dump", "CONFIRM=no")


@pytest.mark.django_db(transaction=True)
def test_the_uploaded_scans_are_backed_up_beside_the_database_and_restored(tmp_path, media):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    scan = b"%PDF-1.4 a signed decision\n"
    name = default_storage.save("papers/7/quyet-dinh.pdf", ContentFile(scan))
    with time_machine.travel(BACKUP_TIME, tick=False):
        out = io.StringIO()
        call_command("backup", "--dir", str(tmp_path / "backups"), stdout=out)
    database, archive = sorted((tmp_path / "backups").iterdir(), key=lambda p: len(p.name))
    assert archive == backups.media_archive(database) and str(archive) in out.getvalue()
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    default_storage.delete(name)  # the disk lost it
    assert not default_storage.exists(name)
    backups.restore_media(database)
    with default_storage.open(name) as restored:
        assert restored.read() == scan


@pytest.mark.django_db(transaction=True)
def test_without_uploaded_files_there_is_no_archive(tmp_path, media):
    path = backups.backup(tmp_path / "backups")
    assert list(path.parent.iterdir()) == [path]
    backups.restore_media(path)  # nothing to unpack: nothing happens
