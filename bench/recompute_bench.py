"""Recompute every progress snapshot of the database in one pass, beside the one-statement baseline.

    DATABASE_URL=... .venv/bin/python bench/recompute_bench.py [--today 2026-12-05] [--unit-by-unit 30]

Runs against the database DATABASE_URL names (build it first: `manage.py generate_scale --members N`
or `manage.py load_demo`). Prints, as one JSON object:

- `recompute_s`, `recompute_queries`: `reports.progress.jobs.recompute_units` over every unit the nightly
  job recomputes, for the standard periods (one pass: the facts read once, the snapshots written in
  batches), with the queries counted;
- `load_s`: of that, the time spent reading the facts (`ProvinceSource.load`);
- `baseline_s`: one SQL statement computing each unit's admissions over the term (the figure a
  hand-written query gives, without the rest of the report), and `ratio` = recompute / baseline;
- with `--unit-by-unit K`: the time of K units' reports computed one by one from the database (each
  its own queries), and that time scaled to every unit, for comparison;
- `progress_report_cold_s` / `progress_report_snapshot_s`: the province's report computed from the
  database, and read back from its snapshot.

docs/performance.md records the figures.
"""

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--today", default=None, help="the day the recompute is for (default: today)")
    parser.add_argument("--unit-by-unit", type=int, default=0, help="also time this many units one by one")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyhub.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from members.models import Member, Organisation
    from reports.progress import jobs, periods, snapshots
    from reports.progress.facts import DatabaseSource
    from reports.progress.province import ProvinceSource
    from reports.progress.report import report_from

    today = datetime.date.fromisoformat(args.today) if args.today else timezone.localdate()
    keys = jobs.standard_period_keys(today)
    ids = jobs.organisation_ids(today)
    out: dict = {
        "today": today.isoformat(),
        "units": len(ids),
        "members": Member.objects.count(),
        "periods": keys,
        "database": connection.vendor,
    }

    wanted = [periods.parse(key) for key in keys]
    units = list(Organisation.objects.filter(pk__in=ids).order_by("path"))
    started = time.perf_counter()
    ProvinceSource.load(units, wanted, today)
    out["load_s"] = round(time.perf_counter() - started, 2)

    with CaptureQueriesContext(connection) as ctx:
        started, cpu = time.perf_counter(), time.process_time()
        written = jobs.recompute_units(ids, keys, today)
        out["recompute_s"] = round(time.perf_counter() - started, 2)
        out["recompute_cpu_s"] = round(time.process_time() - cpu, 2)  # this process only, not the database's
    out["recompute_queries"] = len(ctx.captured_queries)
    out["snapshots_written"] = written

    term = periods.term_containing(today)
    baseline_sql = """
        SELECT o.id, COUNT(m.id)
        FROM members_organisation o
        LEFT JOIN members_organisation c ON c.path LIKE o.path || '%%'
        LEFT JOIN members_membermovement m
          ON m.organisation_id = c.id AND m.kind = 'admitted' AND m.date BETWEEN %s AND %s
        GROUP BY o.id
    """
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(baseline_sql, [term.start, min(today, term.end)])
        cursor.fetchall()
        out["baseline_s"] = round(time.perf_counter() - started, 3)
    out["ratio"] = round(out["recompute_s"] / out["baseline_s"], 1) if out["baseline_s"] else None

    if args.unit_by_unit:
        sample = units[:: max(len(units) // args.unit_by_unit, 1)][: args.unit_by_unit]
        source = DatabaseSource()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            for unit in sample:
                for period in wanted:
                    report_from(source, unit, period, today)
            spent = time.perf_counter() - started
        out["unit_by_unit_sample"] = len(sample)
        out["unit_by_unit_s"] = round(spent, 2)
        out["unit_by_unit_queries"] = len(ctx.captured_queries)
        out["unit_by_unit_every_unit_s_estimate"] = round(spent * len(units) / max(len(sample), 1), 1)

    province = units[0]
    period = periods.term_containing(today)
    started, cpu = time.perf_counter(), time.process_time()
    snapshots.compute_and_store(province, period, today)
    out["progress_report_cold_s"] = round(time.perf_counter() - started, 3)
    out["progress_report_cold_cpu_s"] = round(time.process_time() - cpu, 3)
    started = time.perf_counter()
    stored = snapshots.report_for(province, period, today)
    out["progress_report_snapshot_s"] = round(time.perf_counter() - started, 4)
    assert stored.from_snapshot
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
