"""`manage.py generate_scale --members N --seed S`: a province of N members for timing (docs/performance.md).

It runs only on a database without organisations (a fresh, migrated one): `--if-empty` skips
silently when there are some, otherwise the command refuses with a message and changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from members.demo.summary import format_number
from members.demo.users import DEMO_PASSWORD, format_logins
from members.models import Organisation
from partyhub import pagecache
from reports.demo.scale import ScaleCannotLoad, build_scale


class Command(BaseCommand):
    help = (
        "Tạo một tỉnh quy mô lớn để đo hiệu năng: khoảng 1 tổ chức đảng / 80 đảng viên, xã 100-3.000 "
        "đảng viên, chi bộ 5-60, đợt sắp xếp 2025, kết nạp 2020-nay, quần chúng ưu tú ở mọi bước, chỉ "
        "tiêu cho mọi tổ chức và mọi năm. Chỉ chạy trên cơ sở dữ liệu chưa có tổ chức đảng nào."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, required=True, help="số đảng viên trong danh sách (kể cả đã ra)")
        parser.add_argument("--seed", type=int, default=1, help="cùng seed thì cùng dữ liệu")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="chỉ chạy khi chưa có tổ chức đảng nào; nếu đã có thì im lặng bỏ qua",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and Organisation.objects.exists():
            return
        try:
            report = build_scale(
                members=options["members"], seed=options["seed"], today=timezone.localdate(), progress=self._progress
            )
        except ScaleCannotLoad as exc:
            raise CommandError(str(exc)) from exc
        # A rebuilt database reuses the ids of the one before: no page part kept for that one may be read.
        pagecache.forget_all()
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write("")
        for name, count in report.counts.items():
            self.stdout.write(f"  {name}: {format_number(count)}")
        seconds = f"{report.seconds:.1f}".replace(".", ",")
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo tỉnh quy mô lớn ({format_number(report.members)} đảng viên, seed {report.seed}) "
                f"trong {seconds} giây."
            )
        )
        self.stdout.write("")
        self.stdout.write(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
        for line in format_logins(report.logins):
            self.stdout.write(line)

    def _progress(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()
