"""Excel imports from the browser (reports/imports/jobs.py, docs/import-format.md): one row per upload."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import Organisation


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ nhập")
    RUNNING = "running", _("Đang nhập")
    # Every row went through (or, for a dry run, would have).
    DONE = "done", _("Xong")
    # The file or some rows were refused: nothing was written.
    REFUSED = "refused", _("Bị từ chối")
    # The engine crashed or the worker died: nothing was written either (one transaction).
    FAILED = "failed", _("Lỗi hệ thống")


class ImportRun(models.Model):
    """One uploaded workbook and what became of it.

    The bytes are kept in the database rather than on a disk, so a worker on another machine can read
    them and the marked workbook can be made later; they are cleared (with the report's values, which
    may hold citizen IDs) once the run is older than KEEP_DAYS (reports/imports/jobs.py).
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_runs",
    )
    # The unit whose page the file was uploaded from; the rows may name any unit of the user's subtree.
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("tổ chức"), on_delete=models.CASCADE, related_name="import_runs"
    )
    filename = models.CharField(_("tên tệp"), max_length=255)
    content = models.BinaryField(_("nội dung tệp"), null=True, editable=False)
    # A background run's marked workbook, made by the worker: for a large file it takes longer than
    # a web request should (28 s and 630 MB for 50,000 rows, docs/performance.md).
    marked = models.BinaryField(_("tệp đánh dấu lỗi"), null=True, editable=False)
    dry_run = models.BooleanField(_("chỉ kiểm tra"), default=False)
    status = models.CharField(_("trạng thái"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("số dòng dữ liệu"), default=0)
    # Queued for a worker (more rows than PARTYHUB_IMPORT_ASYNC_ROWS) rather than run within the upload.
    background = models.BooleanField(_("chạy nền"), default=False)
    # When the run was last handed to the broker, and how many times: a run still queued long after
    # it is handed over again by the sweep (reports/imports/jobs.py, requeue_waiting), then failed.
    queued_at = models.DateTimeField(_("đưa vào hàng đợi lúc"), null=True, blank=True)
    queue_attempts = models.PositiveSmallIntegerField(_("số lần đưa vào hàng đợi"), default=0)
    result = models.JSONField(_("kết quả"), null=True, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    created_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    purged_at = models.DateTimeField(_("xóa nội dung lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt nhập Excel")
        verbose_name_plural = _("lượt nhập Excel")
        indexes = [models.Index(fields=["created_by", "organisation", "-created_at"], name="import_run_user_org")]

    def __str__(self) -> str:
        return f"{self.filename} · {self.get_status_display()}"

    @property
    def finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED}
