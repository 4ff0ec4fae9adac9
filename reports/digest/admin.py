"""The admin of the monthly digest: who received which month, and the users' preferences."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import DigestDelivery, DigestPreference


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    """Who received which month's digest: sent, failed with the server's answer, or taken over."""

    list_display = (
        "user",
        "email",
        "month",
        "status",
        "taken_over",
        "attempts",
        "sent_at",
        "subject",
        "short_error",
        "preview",
    )
    list_filter = ("status", "taken_over", "month")
    search_fields = ("user__username", "user__email", "email", "subject", "message_id")
    list_select_related = ("user",)
    date_hierarchy = "month"
    ordering = ("-month", "status", "user__username")
    readonly_fields = (
        "user",
        "month",
        "status",
        "claimed_at",
        "claimed_by",
        "attempts",
        "taken_over",
        "sent_at",
        "email",
        "subject",
        "message_id",
        "error",
    )

    @admin.display(description=_("lỗi"))
    def short_error(self, obj: DigestDelivery) -> str:
        return obj.error[:80]

    @admin.display(description=_("xem trước"))
    def preview(self, obj: DigestDelivery) -> str:
        url = f"{reverse('reports:digest_preview')}?thang={obj.month:%Y-%m}&nguoi={obj.user_id}"
        return format_html('<a href="{}">{}</a>', url, _("xem"))

    def has_add_permission(self, request) -> bool:
        return False  # rows are made by the job; an administrator reads them


@admin.register(DigestPreference)
class DigestPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "opted_out", "language", "updated_at")
    list_filter = ("opted_out", "language")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
