"""`manage.py export_workbook ORG_CODE PATH`: a unit's whole subtree in the import workbook format.

The file imports back with `manage.py import_workbook` (reports/imports/export.py says what each
sheet holds), which is how a database is moved or a unit's records are handed to another install.
"""

from django.core.management.base import BaseCommand, CommandError

from members.models import Organisation
from reports.imports.export import export_workbook


class Command(BaseCommand):
    help = "Xuất toàn bộ dữ liệu của một tổ chức và các tổ chức trực thuộc ra tệp Excel theo mẫu nhập."

    def add_arguments(self, parser):
        parser.add_argument("org_code", help="Mã tổ chức.")
        parser.add_argument("path", help="Tệp .xlsx sẽ ghi.")

    def handle(self, *args, org_code, path, **options):
        organisation = Organisation.objects.filter(code=org_code).first()
        if organisation is None:
            raise CommandError(f"Không có tổ chức mã “{org_code}”.")
        try:
            counts = export_workbook(organisation, path)
        except OSError as error:
            raise CommandError(f"Không ghi được tệp “{path}”: {error.strerror or error}.") from None
        for title, rows in counts.items():
            self.stdout.write(f"{title}: {rows:,} dòng".replace(",", "."))
        self.stdout.write(self.style.SUCCESS(f"Đã ghi {path}."))
