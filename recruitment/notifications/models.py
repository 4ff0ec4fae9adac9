"""The notification rows (the outbox of their emails) and each user's choice of channels."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationPreference(models.Model):
    """A user's channels; no row means both on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    in_app = models.BooleanField(_("hiện thông báo trong PartyHub"), default=True)
    email = models.BooleanField(_("gửi thông báo qua email"), default=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("tùy chọn thông báo")
        verbose_name_plural = _("tùy chọn thông báo")

    def __str__(self) -> str:
        return f"{self.user} · in_app={self.in_app} · email={self.email}"


class NotificationKind(models.TextChoices):
    RETURNED = "returned", _("Hồ sơ bị trả lại")
    DECISION = "decision", _("Có quyết định kết nạp")
    VERIFICATION = "verification", _("Có trả lời thẩm tra lý lịch")
    WEEKLY = "weekly", _("Hạn xử lý hai tuần tới")


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    CLAIMED = "claimed", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi")
    # The user turned email off (at creation or before the send), or has no address.
    SKIPPED = "skipped", _("Không gửi")


class Notification(models.Model):
    """One thing to tell one user, shown under the bell and sent by email once.

    The email moves pending → claimed → sent (or failed, skipped) under conditional UPDATEs, as the
    digest's deliveries do (recruitment/notifications/delivery.py). `key` makes a row unique per user
    where the same event could be written twice (the weekly reminder: one per user and week).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhận"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("loại"), max_length=20, choices=NotificationKind.choices)
    candidate = models.ForeignKey(
        "recruitment.Candidate", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("tiêu đề"), max_length=300)
    body = models.TextField(_("nội dung"), blank=True)
    # A path inside PartyHub (the email makes it absolute with SITE_URL).
    url = models.CharField(_("đường dẫn"), max_length=300, blank=True)
    key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    # False when the user had the in-app channel off when the row was written: the row then only carries the email.
    in_app = models.BooleanField(_("hiện trong PartyHub"), default=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)
    email_status = models.CharField(_("email"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=~Q(key=""), name="unique_notification_key")
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
            models.Index(fields=["email_status", "created_at"], name="notification_email_status"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.title}"
