"""Large downloads made by a worker (reports/exports/jobs.py): one row per requested export."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import Organisation


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ xử lý")
    RUNNING = "running", _("Đang tạo tệp")
    DONE = "done", _("Xong")
    FAILED = "failed", _("Lỗi")


class ExportKind(models.TextChoices):
    # The organisation page's member list with its filters (dang-vien.xlsx).
    PEOPLE = "people", _("Danh sách đảng viên")
    # The whole subtree in the import format (du-lieu.xlsx), board staff and administrators only.
    IMPORT_FORMAT = "import_format", _("Dữ liệu theo mẫu nhập")


class ExportRun(models.Model):
    """One export too large for a web request, and its file once the worker has made it.

    The bytes are kept in the database, as an import's are, so the web server that shows the link
    need not share a disk with the worker; they are cleared KEEP_HOURS after the run finished
    (the file may hold every citizen ID of a subtree).
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="export_runs",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("tổ chức"), on_delete=models.CASCADE, related_name="export_runs"
    )
    kind = models.CharField(_("loại tệp"), max_length=20, choices=ExportKind.choices)
    # The page's filters as a query string (the member list's), applied again by the worker.
    query = models.CharField(_("bộ lọc"), max_length=2000, blank=True)
    filename = models.CharField(_("tên tệp"), max_length=255)
    status = models.CharField(_("trạng thái"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("số dòng"), default=0)
    content = models.BinaryField(_("nội dung tệp"), null=True, editable=False)
    queued_at = models.DateTimeField(_("đưa vào hàng đợi lúc"), null=True, blank=True)
    queue_attempts = models.PositiveSmallIntegerField(_("số lần đưa vào hàng đợi"), default=0)
    error = models.TextField(_("lỗi"), blank=True)
    created_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    purged_at = models.DateTimeField(_("xóa nội dung lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt xuất tệp")
        verbose_name_plural = _("lượt xuất tệp")
        indexes = [models.Index(fields=["created_by", "-created_at"], name="export_run_user")]

    def __str__(self) -> str:
        return f"{self.filename} · {self.get_status_display()}"

    @property
    def finished(self) -> bool:
        return self.status in {ExportStatus.DONE, ExportStatus.FAILED}
