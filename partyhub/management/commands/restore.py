"""`manage.py restore FILE [--yes]` (`make restore FILE=... [CONFIRM=yes]`): replace the whole database
with a backup made by `manage.py backup`. Asks first unless --yes; see partyhub/backups.py."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partyhub import backups


class Command(BaseCommand):
    help = "Phục hồi toàn bộ cơ sở dữ liệu từ một bản sao lưu của manage.py backup (ghi đè dữ liệu hiện có)."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", type=Path, help="Tệp sao lưu (.dump cho PostgreSQL, .sqlite3 cho SQLite)."
        )
        parser.add_argument("--yes", action="store_true", help="Không hỏi lại trước khi ghi đè.")
        parser.add_argument("--database", default="default", help="Bí danh cơ sở dữ liệu trong DATABASES.")

    def handle(self, *args, file, yes, database, **options):
        if file is None:
            raise CommandError(
                "Chưa chỉ tệp sao lưu: manage.py restore backups/partyhub-....dump (make restore FILE=...)."
            )
        if not file.is_file():
            raise CommandError(f"Không có tệp {file}.")
        target = backups.describe(database)
        if not yes:
            self.stdout.write(f"Toàn bộ dữ liệu của {target} sẽ bị thay bằng nội dung của {file}.")
            try:
                answer = input("Gõ yes để tiếp tục: ")
            except EOFError:  # no terminal (stdin closed): the answer is no
                self.stdout.write("")
                answer = ""
            if answer.strip().lower() != "yes":
                raise CommandError("Đã hủy: không phục hồi gì.")
        try:
            backups.restore(file, using=database)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Đã phục hồi {target} từ {file}. Nếu bản sao lưu cũ hơn mã nguồn, chạy manage.py migrate "
            "rồi khởi động lại các dịch vụ."
        )
