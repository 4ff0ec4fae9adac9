"""`manage.py load_demo`: build the demo province (Đảng bộ tỉnh Minh Sơn) and print its logins."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from members.demo.size import DEFAULT_SEED
from members.demo.users import DEMO_PASSWORD, format_logins, login_rows
from members.models import Organisation
from partyhub import pagecache
from reports.demo import DemoAlreadyLoaded, DemoCannotLoad, DemoSize, build_demo


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu mẫu: một tỉnh hư cấu với các xã/phường, chi bộ, đảng viên, biến động từ 2020, "
        "quần chúng ưu tú qua các bước kết nạp và các tài khoản mẫu. Chạy lại không thay đổi gì."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="cùng seed thì cùng dữ liệu")
        parser.add_argument("--scale", type=float, default=1.0, help="thu nhỏ cả tỉnh, ví dụ 0.05 cho kiểm thử")
        parser.add_argument("--communes", type=int, help="số đảng bộ xã/phường (mặc định 22 × scale)")
        parser.add_argument("--members", type=int, help="số đảng viên (mặc định 16.500 × scale)")
        parser.add_argument(
            "--candidates", type=int, help="số quần chúng ưu tú (mặc định 1.600 × số đảng viên / 16.500; 0: không tạo)"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="chỉ chạy khi chưa có tổ chức đảng nào; nếu đã có thì im lặng bỏ qua",
        )

    def handle(self, *args, **options):
        # `make run` repeats this on every start: an existing database, demo or not, is left alone.
        if options["if_empty"] and Organisation.objects.exists():
            return
        try:
            size = DemoSize.from_options(
                seed=options["seed"],
                scale=options["scale"],
                communes=options["communes"],
                members=options["members"],
                candidates=options["candidates"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            report = build_demo(size, progress=self._progress)
        except DemoAlreadyLoaded as exc:
            self.stdout.write(str(exc))
            self._print_logins()
            return
        except DemoCannotLoad as exc:
            raise CommandError(str(exc)) from exc
        # A rebuilt database reuses the ids of the one before: no page part kept for that one may be read.
        pagecache.forget_all()
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Tens of thousands of rows arrived at once: refresh the planner's statistics now rather
            # than wait for autovacuum, or the first pages plan their joins for empty tables.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        self.stdout.write("")
        for line in report.lines():
            self.stdout.write(line)
        seconds = f"{report.seconds:.1f}".replace(".", ",")
        for refusal in report.refusals:
            self.stdout.write(
                self.style.WARNING(
                    f"Bước bị từ chối (kế hoạch {refusal.plan_index}, {refusal.step}): {refusal.message}"
                )
            )
        self.stdout.write(self.style.SUCCESS(f"Đã tạo dữ liệu mẫu (seed {report.seed}) trong {seconds} giây."))
        self._print_logins()

    def _progress(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
        for line in format_logins(login_rows()):
            self.stdout.write(line)
