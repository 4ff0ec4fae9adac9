"""Quotas (chỉ tiêu) and the progress snapshots the jobs compute."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Organisation

from .vocabulary import PeriodKind, QuotaMetric, QuotaSource, ShareAttribute, ValueKind


class Quota(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("tổ chức"), on_delete=models.PROTECT, related_name="quotas"
    )
    period_kind = models.CharField(_("loại kỳ"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    source = models.CharField(_("nguồn chỉ tiêu"), max_length=12, choices=QuotaSource.choices)
    metric = models.CharField(_("nội dung"), max_length=12, choices=QuotaMetric.choices, default=QuotaMetric.ADMISSIONS)
    share_attribute = models.CharField(
        _("đặc điểm (chỉ tiêu tỷ lệ)"), max_length=30, choices=ShareAttribute.choices, blank=True
    )
    value_kind = models.CharField(_("dạng chỉ tiêu"), max_length=8, choices=ValueKind.choices, default=ValueKind.EXACT)
    # exact: the count; range: the lower bound; rate/share: unused (see rate_percent)
    value = models.IntegerField(_("số lượng / cận dưới"), null=True, blank=True)
    upper = models.IntegerField(_("cận trên"), null=True, blank=True)
    rate_percent = models.DecimalField(_("tỷ lệ (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    # For a rate quota: the members at the start of the term as the resolution states them; when
    # empty the count is taken from the member movements on the term's first day.
    base_members = models.PositiveIntegerField(_("số đảng viên đầu nhiệm kỳ"), null=True, blank=True)
    carry_over = models.BooleanField(
        _("cộng phần thiếu vào chỉ tiêu năm sau"),
        default=False,
        help_text=_("Cấp trên quy định: phần chưa đạt của năm này được cộng vào chỉ tiêu năm sau."),
    )
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        indexes = [models.Index(fields=["organisation", "period_start", "period_end"], name="quota_org_period")]

    def __str__(self) -> str:
        return f"{self.organisation} {self.period_start:%Y}–{self.period_end:%Y} {self.get_source_display()}"


class ProgressSnapshot(models.Model):
    """The progress report of one organisation and period, as the job last computed it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="progress_snapshots")
    period_key = models.CharField(max_length=30)
    period_start = models.DateField()
    period_end = models.DateField()
    computed_at = models.DateTimeField()
    data = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "period_key"], name="unique_snapshot_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.period_key}"


# --- Monthly digest (reports/digest/) ---------------------------------------------------------


class DigestPreference(models.Model):
    """A user's choice about the monthly digest; no row means "send it, in Vietnamese"."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="digest_preference",
    )
    opted_out = models.BooleanField(_("không nhận bản tin tháng"), default=False)
    language = models.CharField(_("ngôn ngữ"), max_length=8, choices=settings.LANGUAGES, default="vi")
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("tùy chọn bản tin tháng")
        verbose_name_plural = _("tùy chọn bản tin tháng")

    def __str__(self) -> str:
        return f"{self.user} · {self.language}{' · opted out' if self.opted_out else ''}"


class DigestStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    CLAIMED = "claimed", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi")
    # Queued, then the user opted out or lost every role before the send.
    SKIPPED = "skipped", _("Bỏ qua")


class DigestDelivery(models.Model):
    """One user's digest of one month: the audit row that makes every send happen once.

    It moves pending → claimed → sent (or failed) under a conditional UPDATE; the Message-ID is
    derived from the row, so the one possible resend (see docs/digest.md) carries the same one.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhận"),
        on_delete=models.CASCADE,
        related_name="digest_deliveries",
    )
    # The first day of the month the digest is sent in (it reports on the month before).
    month = models.DateField(_("tháng"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=DigestStatus.choices, default=DigestStatus.PENDING
    )
    claimed_at = models.DateTimeField(_("nhận gửi lúc"), null=True, blank=True)
    claimed_by = models.CharField(_("tiến trình gửi"), max_length=200, blank=True)
    attempts = models.PositiveIntegerField(_("số lần thử"), default=0)
    # A claim left by a worker that died (older than the lease) was taken over by another one.
    taken_over = models.BooleanField(_("tiếp quản"), default=False)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    email = models.EmailField(_("địa chỉ"), blank=True)
    subject = models.CharField(_("tiêu đề"), max_length=300, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True)
    error = models.TextField(_("lỗi"), blank=True)

    class Meta:
        verbose_name = _("lượt gửi bản tin tháng")
        verbose_name_plural = _("lượt gửi bản tin tháng")
        constraints = [models.UniqueConstraint(fields=["user", "month"], name="unique_digest_per_user_month")]
        indexes = [models.Index(fields=["month", "status"], name="digest_month_status")]

    def __str__(self) -> str:
        return f"{self.user} · {self.month:%m/%Y} · {self.get_status_display()}"


# --- Excel imports from the browser (reports/import_jobs.py, docs/import-format.md) -------------


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
    may hold citizen IDs) once the run is older than import_jobs.KEEP_DAYS.
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
