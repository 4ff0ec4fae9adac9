"""Monthly digest (reports/digest/): users' preferences and one row per user and month sent."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
