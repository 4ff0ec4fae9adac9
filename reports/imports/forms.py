"""The upload form of the Excel import: the checks that need no reading of the file."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import jobs as import_jobs


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp Excel (.xlsx)"),
        error_messages={
            "required": gettext_lazy("Hãy chọn một tệp Excel .xlsx để tải lên."),
            "empty": gettext_lazy("Tệp tải lên không có nội dung."),
            "invalid": gettext_lazy("Không nhận được tệp; hãy chọn lại tệp."),
        },
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Chỉ kiểm tra, không ghi"),
        required=False,
        help_text=gettext_lazy("Kiểm tra từng dòng như khi nhập thật, nhưng không ghi gì vào PartyHub."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # The size is known from the upload handler before anything is read: a file past the limit
        # is refused without being loaded into memory.
        limit = import_jobs.max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("Tệp nặng %(size)s MB, vượt giới hạn %(limit)s MB của một lần nhập; hãy chia thành nhiều tệp.")
                % {"size": _megabytes(upload.size), "limit": _megabytes(limit)}
            )
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _(
                    "Chỉ nhận tệp Excel .xlsx. Tệp .xls, .csv hoặc .ods hãy mở bằng Excel và lưu lại dạng "
                    "“Excel Workbook (*.xlsx)”."
                )
            )
        return upload


def _megabytes(size: int) -> str:
    text = f"{size / 1024 / 1024:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text
