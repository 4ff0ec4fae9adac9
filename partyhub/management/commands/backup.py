"""`manage.py backup [--dir DIR]` (`make backup`): the whole database into a new dated file.

PostgreSQL through pg_dump's custom format, SQLite through its online backup API; see partyhub/backups.py.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partyhub import backups, numbers


class Command(BaseCommand):
    help = "Sao lưu toàn bộ cơ sở dữ liệu vào một tệp mới mang ngày giờ (mặc định trong thư mục backups/)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="Thư mục chứa bản sao lưu; mặc định backups/ của dự án.")
        parser.add_argument("--database", default="default", help="Bí danh cơ sở dữ liệu trong DATABASES.")

    def handle(self, *args, dir, database, **options):
        try:
            path = backups.backup(dir, using=database)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        size = numbers.number(path.stat().st_size, language="vi")
        self.stdout.write(f"Đã sao lưu {backups.describe(database)} vào {path} ({size} byte).")
        archive = backups.media_archive(path)
        if archive.is_file():
            size = numbers.number(archive.stat().st_size, language="vi")
            self.stdout.write(f"Các tệp tải lên (bản quét giấy tờ) ở {archive} ({size} byte).")
