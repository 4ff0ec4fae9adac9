"""`manage.py import_workbook PATH [--dry-run] [--user USERNAME] [--report PATH]`: an Excel import.

The same all-or-nothing import as the web page (reports.imports.service.import_workbook). Without
--user it runs as the administrator, over the whole tree; with --user, only within that user's
subtree. When rows are refused, the workbook is written back beside PATH with the problems marked
(`<name>.loi.xlsx`) and the command fails, so a script can tell.
"""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reports.imports.marked import marked_workbook
from reports.imports.report import ImportResult
from reports.imports.service import import_workbook

# How often the progress line is printed; the service reports about every 1% of the rows.
PROGRESS_EVERY = 1000
REPORT_HEADERS = ["Trang tính", "Dòng", "Cột", "Giá trị", "Lỗi", "Quy định"]


def marked_path(path: Path) -> Path:
    """`danh-sach.xlsx` -> `danh-sach.loi.xlsx`, in the same folder."""
    return path.with_name(f"{path.stem}.loi.xlsx")


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class Command(BaseCommand):
    help = (
        "Nhập dữ liệu từ tệp Excel theo mẫu (docs/import-format.md): tất cả hoặc không; "
        "khi có lỗi, ghi tệp có đánh dấu lỗi bên cạnh tệp nhập."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Tệp .xlsx theo mẫu nhập.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Chỉ kiểm tra: báo lỗi như khi nhập nhưng không ghi gì."
        )
        parser.add_argument("--user", help="Nhập với quyền của người dùng này (chỉ trong phạm vi tổ chức họ quản lý).")
        parser.add_argument("--report", help="Đường dẫn tệp có đánh dấu lỗi (mặc định: <tên tệp>.loi.xlsx).")

    def handle(self, *args, path, dry_run, user, report, **options):
        source = Path(path)
        try:
            data = source.read_bytes()
        except OSError as error:
            raise CommandError(f"Không đọc được tệp “{source}”: {error.strerror or error}.") from None
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"Không có người dùng “{user}”.")

        result = import_workbook(data, user=account, dry_run=dry_run, progress=self._progress())

        self._counts(result)
        if result.ok and not result.rows:
            self.stdout.write("Tệp không có dòng dữ liệu nào (dòng ví dụ của mẫu, nếu giữ nguyên, được bỏ qua).")
            return
        if result.ok:
            if dry_run:
                self.stdout.write(f"Kiểm tra xong {_number(result.rows)} dòng: không có lỗi. Chưa ghi gì (--dry-run).")
            else:
                self.stdout.write(self.style.SUCCESS(f"Đã nhập {_number(result.rows)} dòng."))
            return

        self._issues(result)
        target = Path(report) if report else marked_path(source)
        try:
            target.write_bytes(marked_workbook(data, result.issues))
        except OSError as error:
            self.stderr.write(f"Không ghi được tệp đánh dấu lỗi “{target}”: {error.strerror or error}.")
        else:
            self.stdout.write(f"Tệp có đánh dấu lỗi: {target}")
        verb = "Kiểm tra" if dry_run else "Không nhập"
        raise CommandError(
            f"{verb}: {_number(len(result.issues))} lỗi"
            + ("; tệp bị từ chối." if result.refused_file else "; không dòng nào được ghi.")
        )

    def _progress(self):
        last = 0

        def report(done: int, total: int) -> None:
            nonlocal last
            if done - last >= PROGRESS_EVERY or (done == total and last < total and total >= PROGRESS_EVERY):
                last = done
                # stderr, so that stdout stays the report a script may keep.
                self.stderr.write(f"Đã xử lý {_number(done)}/{_number(total)} dòng")
                sys.stderr.flush()

        return report

    def _counts(self, result: ImportResult) -> None:
        if not result.counts:
            return
        if not result.imported:
            # The service counts what the rows would have done; nothing of it was kept.
            self.stdout.write("Số dòng theo trang tính (chưa ghi gì vào hệ thống):")
        rows = [
            [title, _number(c.rows), _number(c.created), _number(c.updated), _number(c.unchanged)]
            for title, c in result.counts.items()
        ]
        self._table(["Trang tính", "Số dòng", "Tạo mới", "Cập nhật", "Không đổi"], rows, numeric_from=1)
        self.stdout.write("")

    def _issues(self, result: ImportResult) -> None:
        rows = [
            [i.sheet or "(tệp)", "" if i.row is None else str(i.row), i.column, i.value, i.message, i.rule]
            for i in result.issues
        ]
        self._table(REPORT_HEADERS, rows, numeric_from=None)
        self.stdout.write("")

    def _table(self, headers: list[str], rows: list[list[str]], numeric_from: int | None) -> None:
        # Long messages are left to run on: the last columns are not padded.
        widths = [min(max(len(str(cell)) for cell in column), 40) for column in zip(headers, *rows, strict=True)]

        def line(cells):
            out = []
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
                text = " ".join(str(cell).split())
                numeric = numeric_from is not None and i >= numeric_from
                out.append(text.rjust(width) if numeric else text.ljust(width))
            return "  ".join(out).rstrip()

        self.stdout.write(line(headers))
        self.stdout.write("  ".join("-" * w for w in widths))
        for row in rows:
            self.stdout.write(line(row))
