"""The Django side of `make bench` (bench/run.py runs each step in a process of its own).

    .venv/bin/python bench/steps.py login --out DIR      a bench login and the pages' units -> DIR/targets.json
    .venv/bin/python bench/steps.py recompute            every unit's standard snapshots, timed, queries counted
    .venv/bin/python bench/steps.py baseline             achieved admissions per unit over the term, one SQL statement
    .venv/bin/python bench/steps.py report               the province's progress report, cold and from snapshot

Each step prints one JSON object on its last line of stdout. The database is the one DATABASE_URL
names (run.py points it at the bench database); nothing here is imported by the app or its tests.

Queries are counted with a connection execute wrapper rather than CaptureQueriesContext: the latter
keeps at most 9,000 queries (Django's queries_log), and the recompute runs far more at scale.
"""

import argparse
import contextlib
import json
import os
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyhub.settings")

BENCH_USERNAME = "bench.tinh"
# One recovery code per locust user login; 20 users need 20, the rest cover users restarted after an error.
RECOVERY_CODES = 200


class QueryCounter:
    """Counts the statements sent to the database, and the time spent in them, however many there are."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


@contextlib.contextmanager
def counted():
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        yield counter
        counter.wall = time.perf_counter() - started


def province():
    from members.models import Organisation
    from members.vocabulary import Level

    root = Organisation.objects.filter(depth=1, dissolved_on__isnull=True).order_by("path").first()
    if root is None or root.level != Level.PROVINCE:
        raise SystemExit("Không tìm thấy đảng bộ tỉnh trong cơ sở dữ liệu bench.")
    return root


def largest_active(level: str):
    """The active unit of this level with the most members in its subtree (the heaviest page of its kind).

    The members are counted per cell in one grouped query, then added up to each unit of the level whose
    path prefixes the cell's: linear in the cells (a join on `path LIKE` took 5 minutes at 1.6 million
    members, 94,000 units)."""
    from django.db.models import Count

    from members.models import Member, Organisation
    from members.vocabulary import MemberStatus

    counted = Member.objects.filter(status__in=[MemberStatus.FULL, MemberStatus.PROBATIONARY])
    per_cell = counted.values_list("cell__path").annotate(n=Count("pk")).order_by()
    units = dict(Organisation.objects.filter(level=level, dissolved_on=None).values_list("path", "pk"))
    step = Organisation.steplen
    totals: dict[int, int] = {}
    for path, n in per_cell:
        for end in range(step, len(path) + 1, step):
            pk = units.get(path[:end])
            if pk is not None:
                totals[pk] = totals.get(pk, 0) + n
    if not totals:
        raise SystemExit(f"Không có tổ chức cấp {level} nào có đảng viên.")
    best = min(totals, key=lambda pk: (-totals[pk], pk))
    return Organisation.objects.get(pk=best)


def step_login(out: Path) -> dict:
    """A board-staff login at the province for the load test, with its second factor set up.

    The app's rule stays as it is (board staff confirm every login): the bench user gets a confirmed
    authenticator whose secret nobody keeps, and a set of recovery codes that the locust users spend,
    one per login, through the real verification page.
    """
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from members.models import RoleAssignment
    from members.vocabulary import Level, Role

    root = province()
    password = secrets.token_urlsafe(18)
    codes = [f"bench{secrets.token_hex(5)}" for _ in range(RECOVERY_CODES)]  # 15 of the 16 characters
    with transaction.atomic():
        user, _created = get_user_model().objects.get_or_create(username=BENCH_USERNAME)
        user.first_name, user.last_name = "Bench", "Đo tải"
        user.set_password(password)
        user.save()
        RoleAssignment.objects.get_or_create(user=user, organisation=root, role=Role.BOARD_STAFF)
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        device = StaticDevice.objects.create(user=user, name="bench", confirmed=True)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    commune = largest_active(Level.COMMUNE)
    cell = largest_active(Level.CELL)
    targets = {
        "username": BENCH_USERNAME,
        "password": password,
        "recovery_codes": codes,
        "province": {"pk": root.pk, "code": root.code, "name": root.name},
        "commune": {"pk": commune.pk, "code": commune.code, "name": commune.name},
        "cell": {"pk": cell.pk, "code": cell.code, "name": cell.name},
    }
    out.mkdir(parents=True, exist_ok=True)
    path = out / "targets.json"
    path.write_text(json.dumps(targets, ensure_ascii=False, indent=2), encoding="utf-8")
    path.chmod(0o600)
    return {"targets": str(path), **{k: targets[k] for k in ("province", "commune", "cell")}}


def recompute_command() -> str | None:
    """`manage.py recompute_snapshots` when that command exists (the one-pass recompute), else None."""
    from django.core.management import get_commands

    return "recompute_snapshots" if "recompute_snapshots" in get_commands() else None


def step_recompute() -> dict:
    """Every unit's standard snapshots, in this process: the one-pass command when there is one, else
    the nightly job's own code (reports.progress.jobs.recompute_chunk) over all its units at once."""
    from django.core.management import call_command
    from django.utils import timezone

    from members.models import Organisation
    from reports.models import ProgressSnapshot
    from reports.progress import jobs

    today = timezone.localdate()
    keys = jobs.standard_period_keys(today)
    units = jobs.organisation_ids(today)
    command = recompute_command()
    with open(os.devnull, "w") as sink, counted() as counter:
        if command:
            call_command(command, stdout=sink)
        else:
            jobs.recompute_chunk(units, keys, today)
    return {
        "how": f"manage.py {command}" if command else "reports.progress.jobs.recompute_chunk(all units)",
        "today": today.isoformat(),
        "units": len(units),
        "organisations": Organisation.objects.count(),
        "periods": keys,
        "snapshots": ProgressSnapshot.objects.count(),
        "seconds": round(counter.wall, 3),
        "queries": counter.count,
        "seconds_in_queries": round(counter.seconds, 3),
    }


def step_baseline() -> dict:
    """What the recompute is measured against: each unit's achieved admissions over the current term
    (admitted movements in its subtree, the report's definition) in one SQL statement."""
    from django.db import connection
    from django.utils import timezone

    from members.models import MemberMovement, Organisation
    from members.vocabulary import MovementKind
    from reports.progress import periods

    term = periods.term_containing(timezone.localdate())
    org, movement = Organisation._meta.db_table, MemberMovement._meta.db_table
    # Count per unit the movement names, then add each count to every ancestor: a unit's ancestors are
    # the prefixes of its path, one per STEP characters.
    sql = f"""
        WITH per_unit AS (
            SELECT organisation_id, count(*) AS n FROM {movement}
            WHERE kind = %s AND date BETWEEN %s AND %s GROUP BY organisation_id
        )
        SELECT a.id, COALESCE(sum(p.n), 0) FROM {org} a
        LEFT JOIN {org} d ON d.path LIKE a.path || '%%'
        LEFT JOIN per_unit p ON p.organisation_id = d.id
        GROUP BY a.id
    """
    runs = []
    rows: list = []
    for _ in range(3):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [MovementKind.ADMITTED, term.start, term.end])
            rows = cursor.fetchall()
        runs.append(round(time.perf_counter() - started, 3))
    root = province()
    achieved = {pk: int(n) for pk, n in rows}
    return {
        "term": term.key,
        "units": len(rows),
        "province_achieved": achieved.get(root.pk, 0),
        "seconds_runs": runs,
        "seconds_first": runs[0],
        "seconds_best": min(runs),
        "sql": " ".join(sql.split()),
    }


def step_report() -> dict:
    """`manage.py progress_report` for the province and the current term, computed afresh (in this
    process, so without Python's start-up), then the same report read from its snapshot as the dashboard does."""
    from django.core.management import call_command
    from django.utils import timezone

    from reports.progress import periods, snapshots

    today = timezone.localdate()
    root = province()
    term = periods.term_containing(today)
    with open(os.devnull, "w") as sink, counted() as cold:
        call_command("progress_report", org=root.code, period=term.key, format="json", stdout=sink)
    with counted() as warm:  # as the dashboard reads it: the long lists' heads (reports/progress/snapshots.py)
        stored = snapshots.report_for(root, term, today, whole_lists=False)
        size = len(json.dumps(stored.report.as_json(), ensure_ascii=False))
    with counted() as whole:  # as the exports read it: every list whole
        stored_whole = snapshots.report_for(root, term, today)
        size_whole = len(json.dumps(stored_whole.report.as_json(), ensure_ascii=False))
    return {
        "period": term.key,
        "cold_seconds": round(cold.wall, 3),
        "cold_queries": cold.count,
        "snapshot_seconds": round(warm.wall, 3),
        "snapshot_queries": warm.count,
        "from_snapshot": stored.from_snapshot,
        "json_chars": size,
        "whole_snapshot_seconds": round(whole.wall, 3),
        "whole_json_chars": size_whole,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["login", "recompute", "baseline", "report"])
    parser.add_argument("--out", type=Path, help="for login: the folder of targets.json")
    args = parser.parse_args()

    import django

    django.setup()
    if args.step == "login":
        if not args.out:
            parser.error("login needs --out")
        result = step_login(args.out)
    else:
        result = {"recompute": step_recompute, "baseline": step_baseline, "report": step_report}[args.step]()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
