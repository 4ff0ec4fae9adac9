"""`manage.py demo_logins`: the demo logins table, for after `load_demo` has run."""

from django.core.management.base import BaseCommand

from members.demo.users import DEMO_PASSWORD, format_logins, login_rows


class Command(BaseCommand):
    help = "In bảng tài khoản mẫu (tên đăng nhập, mật khẩu, vai trò, tổ chức)."

    def handle(self, *args, **options):
        rows = login_rows()
        if not rows:
            # Not an error: `make run` calls this after `load_demo --if-empty`, which leaves a
            # database with other data alone, and the server should still start.
            self.stderr.write("Chưa có tài khoản mẫu; chạy `python manage.py load_demo` trên một cơ sở dữ liệu trống.")
            return
        self.stdout.write(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
        for line in format_logins(rows):
            self.stdout.write(line)
