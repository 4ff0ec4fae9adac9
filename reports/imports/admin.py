"""The admin of the Excel imports: the record of who imported what (ImportRun), read-only."""

from django.contrib import admin

from ..models import ImportRun


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
