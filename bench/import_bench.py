"""Import 10,000 candidates from an Excel workbook into the demo province, then time the exports.

    .venv/bin/python bench/import_bench.py [--scale 1.0] [--rows 10000] [--db /tmp/import-bench.sqlite3] [--reuse]
        [--per-row] [--dry-run] [--import-only] [--database-url postgres://...]

Loads the demo province into a fresh SQLite file (migrate and load_demo in a subprocess, so this
process's peak memory is the import's own) and keeps a copy of it beside the file (`<db>.demo`), which
--reuse restores instead of loading the demo again. Then:

1. writes a workbook in the import format (reports/imports/columns.py) with --rows candidates for the
   active cells of the province: most at the first stages, some carried through the class, the
   dossier, the cell's vote (the cell's real number of full members, two thirds or more in favour),
   the grassroots committee where the cell has one, the decision, the ceremony and the recognition,
   every date inside the rules; helpers and introducers are full members of the cell, named by
   citizen ID;
2. imports it as the administrator (reports.imports.service.import_workbook, one transaction: the
   candidates checked in memory by the services' rules and written in batches, or with --per-row
   every step through recruitment.services) and reports rows per second and the peak memory
   (ru_maxrss, and with --tracemalloc the peak of Python allocations, which slows the import down);
   --dry-run rolls the import back at the end (as the import page's check does: every row is
   applied, then nothing is kept), so the same database serves the next run;
3. times the province's progress report for the current term (computing it, then as .xlsx and as
   PDF) and the export of the whole province in the import format.

--database-url runs against that database instead of a SQLite file (PostgreSQL: it is migrated and
the demo loaded unless --reuse says it already holds it; use --dry-run to keep it reusable).
--import-only stops after the import (no report or export timings).

docs/performance.md records the figures.
"""

import argparse
import datetime
import io
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Share of the generated candidates by how far they got (stage code -> weight).
MIX = {
    "source": 38,
    "source_failed": 2,  # failed the class: back at the source
    "withdrawn": 2,
    "training": 15,
    "trained": 15,
    "dossier": 10,
    "cell_resolution": 7,
    "committee_review": 3,  # only where the cell has a grassroots committee; else the cell's vote
    "decided": 3,
    "probationary": 4,
    "full": 1,
}
ORDER = list(MIX)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = {"male": ["Văn", "Đức", "Minh", "Quang", "Hữu"], "female": ["Thị", "Thu", "Ngọc", "Thanh", "Mai"]}
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Lan", "Linh", "Long"]
GIVEN += ["Mai", "Nam", "Ngọc", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vân", "Yến"]
BODIES = ["youth_union", "youth_union", "youth_union", "women_union", "farmers_union", "trade_union", "cell"]


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def prepare_url(url: str, scale: float, reuse: bool) -> str:
    if reuse:
        return f"using the demo province already in {url.rsplit('/', 1)[-1]}"
    env = {**os.environ, "DATABASE_URL": url}
    started = time.perf_counter()
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [*manage, "load_demo", "--scale", str(scale)], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    return f"demo province loaded into {url.rsplit('/', 1)[-1]} in {time.perf_counter() - started:.1f} s"


def prepare_database(db_path: Path, scale: float, reuse: bool) -> str:
    pristine = db_path.with_name(db_path.name + ".demo")
    if reuse and pristine.exists():
        shutil.copyfile(pristine, db_path)
        return f"restored the demo province from {pristine}"
    db_path.unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}"}
    started = time.perf_counter()
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    load = [*manage, "load_demo", "--scale", str(scale)]
    subprocess.run(load, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    shutil.copyfile(db_path, pristine)
    return f"demo province loaded into {db_path} in {time.perf_counter() - started:.1f} s (copy kept in {pristine})"


class Cells:
    """The active cells with at least three full members who have a citizen ID, and what a row needs."""

    def __init__(self):
        from django.db.models import Count, F, Max

        from members.models import Member, Organisation
        from members.structure import deciding_committee_of, grassroots_committee_of
        from members.vocabulary import CELL_LEVELS, INCOMING_MOVEMENTS, MemberStatus

        cells = list(Organisation.objects.filter(level__in=CELL_LEVELS, dissolved_on__isnull=True).order_by("path"))
        full = dict(
            Member.objects.filter(status=MemberStatus.FULL, cell__in=cells)
            .values_list("cell")
            .annotate(n=Count("id"))
            .order_by()
        )
        ids: dict[int, list[str]] = {}
        # When each full member came into their cell: a helper must be there on the proposal day.
        since: dict[str, datetime.date] = {}
        for cell_id, citizen_id, arrived in (
            Member.objects.filter(status=MemberStatus.FULL, cell__in=cells, person__citizen_id__isnull=False)
            .filter(movements__organisation=F("cell"), movements__kind__in=INCOMING_MOVEMENTS)
            .annotate(arrived=Max("movements__date"))
            .values_list("cell_id", "person__citizen_id", "arrived")
        ):
            ids.setdefault(cell_id, []).append(citizen_id)
            since[citizen_id] = arrived
        self.since = since
        self.rows = []
        for cell in cells:
            if len(ids.get(cell.pk, [])) < 3:
                continue
            ancestors = list(Organisation.objects.get_ancestors(cell))
            self.rows.append(
                {
                    "code": cell.code,
                    "full": full[cell.pk],
                    "members": sorted(ids[cell.pk]),
                    "committee": grassroots_committee_of(cell, ancestors) is not None,
                    "committee_org": grassroots_committee_of(cell, ancestors),
                    "pk": cell.pk,
                    "organiser": deciding_committee_of(cell, ancestors).code,
                }
            )


def candidate_rows(n: int, cells: Cells, today: datetime.date, rng: random.Random):
    """`n` rows of the candidates sheet, as {column key: value} (codes; the writer shows the labels)."""
    from members.selectors import full_member_rolls
    from recruitment.rules import add_months, required_votes
    from recruitment.services import committee_reference

    weights = [MIX[k] for k in ORDER]
    # Rule 6: the cell's figure is its roll on the vote day; a committee's is the one its approvals
    # on record give (one size per committee in the demo), else one drawn once for the file.
    sizes: dict[int, int] = {}

    def committee_size(committee) -> int:
        if committee.pk not in sizes:
            reference = committee_reference(committee, datetime.date.max)
            sizes[committee.pk] = reference[0] if reference else rng.randint(5, 9)
        return sizes[committee.pk]

    for i in range(n):
        cell = cells.rows[i % len(cells.rows)]
        kind = rng.choices(ORDER, weights)[0]
        if kind == "committee_review" and not cell["committee"]:
            kind = "cell_resolution"
        gender = rng.choice(["male", "female"])
        # A class every fortnight per commune; those recognised as full members started a year earlier.
        start = today - days(200 + 14 * rng.randrange(12) + (365 if kind == "full" else 0))
        proposed = start - days(rng.randint(20, 90))
        row = {
            "citizen_id": f"0999{i:08d}",
            "full_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN)}",
            "gender": gender,
            "date_of_birth": today - days(rng.randint(20 * 365, 27 * 365)),
            "ethnicity": "Kinh" if rng.random() < 0.9 else "Tày",
            "general_education": "upper_secondary",
            "occupation": rng.choice(["farmer", "public_employee", "university_student", "other"]),
            "is_youth_union_member": True,
            "cell_code": cell["code"],
            "stage": {"source_failed": "source"}.get(kind, kind),
            "introduced_by": rng.choice(BODIES),
            "proposed_on": proposed,
            "helper": rng.choice([m for m in cell["members"] if cells.since[m] <= proposed] or [None]),
        }
        if kind == "withdrawn":
            row |= {"exit_on": proposed + days(30), "exit_reason": "Chuyển đi nơi khác làm việc"}
        if kind in ("source", "withdrawn"):
            yield row
            continue
        ends = start + days(4)
        row |= {
            "class_name": f"Lớp bồi dưỡng nhận thức về Đảng {cell['organiser']} khai giảng {start:%d/%m/%Y}",
            "class_organiser_code": cell["organiser"],
            "class_starts_on": start,
            "class_ends_on": ends,
        }
        if kind == "source_failed":
            row["class_result"] = "failed"
        elif kind != "training":
            row |= {"class_result": "passed", "certificate_number": f"{i}/CN-NTVĐ", "certificate_issued_on": ends}
        if kind in ("source_failed", "training", "trained"):
            yield row
            continue
        application = ends + days(rng.randint(10, 25))
        submitted = application + days(10)
        row |= {
            "introduced_by": "youth_union",
            "application_date": application,
            "personal_history_date": application + days(2),
            "opinions_date": application + days(8),
            "verification_completed_on": submitted - days(1),
            "route": "youth_union",
            "body_introduction_date": application + days(5),
            "submitted_on": submitted,
            "introducer1": rng.choice(cell["members"]),
            "introducer1_known_since": application - days(2 * 365),
            "introducer1_on": application + days(5),
        }
        if kind == "dossier":
            yield row
            continue
        vote = submitted + days(rng.randint(7, 20))
        full = len(full_member_rolls([(cell["pk"], vote)])[(cell["pk"], vote)])
        if full == 0:  # nobody full in the cell yet on the day: the dossier waits
            yield row | {"stage": "dossier"}
            continue
        row |= {"vote_held_on": vote, "votes_for": rng.randint(required_votes(full), full), "full_members": full}
        last = vote
        if cell["committee"] and kind != "cell_resolution":
            last = vote + days(rng.randint(5, 15))
            members = committee_size(cell["committee_org"])
            row |= {
                "committee_held_on": last,
                "committee_votes_for": rng.randint(required_votes(members), members),
                "committee_members": members,
            }
        if kind in ("cell_resolution", "committee_review"):
            yield row
            continue
        decided = last + days(rng.randint(5, 15))
        row |= {
            "decision_number": f"{i}-QĐ/ĐU",
            "decided_on": decided,
            "decision_received_on": decided + days(2),
        }
        if kind == "decided":
            yield row
            continue
        ceremony = decided + days(2 + rng.randint(3, 10))
        row["ceremony_on"] = ceremony
        if kind == "full":
            row |= {
                "recognition_meeting_on": add_months(ceremony, 12) + days(rng.randint(1, 10)),
                "recognition_number": f"{i}-QĐ/ĐU",
            }
        yield row


def workbook(rows) -> bytes:
    from openpyxl import Workbook

    from reports.imports.columns import CANDIDATES
    from reports.imports.export import SheetWriter

    book = Workbook(write_only=True)
    sheet = SheetWriter(book, CANDIDATES)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed(label: str, results: list, fn):
    t0 = time.perf_counter()
    value = fn()
    results.append((label, time.perf_counter() - t0))
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="load_demo --scale (1.0: the full province)")
    parser.add_argument("--rows", type=int, default=10_000, help="candidate rows to generate and import")
    parser.add_argument("--db", default="", help="SQLite file to (re)build; default: a temporary one")
    parser.add_argument("--reuse", action="store_true", help="restore the demo copy of an earlier run (no load_demo)")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slower)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-row", action="store_true", help="every candidate step through the services")
    parser.add_argument("--dry-run", action="store_true", help="roll the import back at the end")
    parser.add_argument("--import-only", action="store_true", help="no report or export timings")
    parser.add_argument("--database-url", default="", help="this database instead of a SQLite file")
    args = parser.parse_args()

    if args.database_url:
        print(prepare_url(args.database_url, args.scale, args.reuse))
        url = args.database_url
    else:
        db_path = Path(args.db or Path(tempfile.mkdtemp(prefix="import-bench-")) / "demo.sqlite3")
        print(prepare_database(db_path, args.scale, args.reuse))
        url = f"sqlite:///{db_path}"
    os.environ.update({"DJANGO_SETTINGS_MODULE": "partyhub.settings", "DATABASE_URL": url})
    os.environ.pop("REDIS_URL", None)

    import django

    django.setup()

    from django.utils import timezone

    from members.demo.place_names import PROVINCE_CODE
    from members.models import Member, Organisation
    from recruitment.models import Candidate
    from reports.exports import pdf, xlsx
    from reports.imports.export import export_workbook
    from reports.imports.service import import_workbook
    from reports.progress import periods
    from reports.progress.report import progress_report

    today = timezone.localdate()
    cells = Cells()
    t0 = time.perf_counter()
    data = workbook(candidate_rows(args.rows, cells, today, random.Random(args.seed)))
    print(
        f"{args.rows:,} candidate rows for {len(cells.rows)} active cells written in {time.perf_counter() - t0:.1f} s "
        f"({len(data) / 1024 / 1024:.1f} MiB)"
    )

    rss_before = max_rss_mib()
    if args.tracemalloc:
        tracemalloc.start()
    t0, cpu0 = time.perf_counter(), time.process_time()
    result = import_workbook(data, bulk=not args.per_row, dry_run=args.dry_run)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    traced = tracemalloc.get_traced_memory()[1] / 1024 / 1024 if args.tracemalloc else None
    tracemalloc.stop()
    if result.issues:
        for issue in result.issues[:20]:
            print(f"  {issue.sheet} row {issue.row} [{issue.column}] {issue.value!r}: {issue.message}")
        sys.exit(f"the import refused {len(result.issues)} rows")
    counts = result.counts["Quần chúng"]
    how = "per row through the services" if args.per_row else "in bulk"
    print(
        f"import ({how}{', rolled back' if args.dry_run else ''}): {counts.rows:,} rows ({counts.created:,} created) "
        f"in {seconds:.1f} s = {counts.rows / seconds:.0f} rows/s ({cpu:.1f} s of this process's CPU: "
        f"{counts.rows / cpu:.0f} rows per CPU second; a busy machine stretches the first figure); "
        f"peak RSS {max_rss_mib():.0f} MiB (before the import {rss_before:.0f} MiB)"
        + (f"; Python allocations peak {traced:.0f} MiB (tracemalloc)" if traced is not None else "")
    )
    if args.import_only:
        return

    province = Organisation.objects.get(code=PROVINCE_CODE)
    term = periods.term_containing(today)
    results: list[tuple[str, float]] = []
    report = timed("progress report, computed", results, lambda: progress_report(province, term, today))
    timed("progress report as .xlsx", results, lambda: xlsx.progress_xlsx(report).save(io.BytesIO()))
    size = len(timed("progress report as PDF", results, lambda: pdf.progress_pdf(province, report, today)))
    with tempfile.TemporaryFile() as target:
        rows = timed("whole province in the import format", results, lambda: export_workbook(province, target))
        exported = target.tell()

    print()
    print(f"{'export of ' + province.name + ', term ' + term.key:<52}{'seconds':>9}")
    for label, elapsed in results:
        print(f"{label:<52}{elapsed:>9.2f}")
    print(
        f"\nPDF {size / 1024:.0f} KiB; import format {exported / 1024 / 1024:.1f} MiB, "
        + ", ".join(f"{title} {n:,}" for title, n in rows.items())
        + f" rows; {Member.objects.count():,} members and {Candidate.objects.count():,} candidates in the database"
    )


if __name__ == "__main__":
    main()
