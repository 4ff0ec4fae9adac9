from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import DigestDelivery, DigestPreference, ImportRun

# --- Monthly digest (reports/digest/) ---------------------------------------------------------


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


# --- Excel imports (reports/imports/) ---------------------------------------------------------


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Who imported what, into which unit, and how it ended; the error of a failed run is only here."""

    list_display = ("created_at", "created_by", "organisation", "filename", "status", "dry_run", "rows_total", "error")
    list_filter = ("status", "dry_run", "background")
    search_fields = ("filename", "created_by__username", "organisation__name", "organisation__code")
    list_select_related = ("created_by", "organisation")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    # The uploaded bytes and the report stay out of the form: a record, not something to edit.
    exclude = ("content", "marked", "result")
    readonly_fields = (
        "created_by",
        "organisation",
        "filename",
        "dry_run",
        "status",
        "rows_total",
        "background",
        "error",
        "created_at",
        "started_at",
        "finished_at",
        "purged_at",
    )

    def get_queryset(self, request):
        # The files stay in the database, not in the list: each may be megabytes.
        return super().get_queryset(request).defer("content", "marked", "result")

    def has_add_permission(self, request) -> bool:
        return False
