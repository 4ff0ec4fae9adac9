"""Time the marked workbook (the user's file with the row-by-row report beside the rows).

    .venv/bin/python bench/marked_bench.py [--rows 10000 50000] [--every 10]

Writes a candidates sheet of N rows, reports a problem on every `--every`-th row, and times
`reports.imports.marked.marked_workbook` on it, with the process's peak memory. No database is
needed. docs/performance.md records the figures; they decide where the workbook is made (by the
worker for background runs).
"""

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyhub.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--every", type=int, default=10, help="one problem every N rows")
    args = parser.parse_args()

    import django

    django.setup()
    import openpyxl

    from reports.imports.columns import CANDIDATES
    from reports.imports.marked import marked_workbook
    from reports.imports.report import Issue

    print(f"{'rows':>8} {'problems':>9} {'seconds':>8} {'MB in':>6} {'MB out':>7} {'peak RSS MiB':>13}")
    for n in args.rows:
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet(CANDIDATES.title)
        sheet.append(CANDIDATES.headers)
        for i in range(n):
            sheet.append([f"{i:012d}", f"Nguyễn Văn {i}", "Nam", "01/01/2000", *["x"] * 20])
        stream = io.BytesIO()
        book.save(stream)
        data = stream.getvalue()
        issues = [
            Issue(CANDIDATES.title, i + 2, "Ngày sinh", "01/01/2000", "Ngày sinh không hợp lệ.", "Quy tắc")
            for i in range(0, n, args.every)
        ]
        start = time.perf_counter()
        out = marked_workbook(data, issues)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{n:>8,} {len(issues):>9,} {seconds:>8.1f} {len(data) / 1e6:>6.1f} {len(out) / 1e6:>7.1f} {peak:>13.0f}")


if __name__ == "__main__":
    main()
