"""The administrators' audit page: who changed what on any person, member, unit, candidate or quota,
and who was shown which sensitive field; filtered, a page at a time, and as .xlsx."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from partyhub.pagination import paginate

from ..exports import common
from ..exports.responses import workbook_response
from ..models import SensitiveRead
from . import changes, reads, xlsx
from .access import audit_user_or_404
from .filters import AuditFilter

PER_PAGE = 50


def _changes_queryset(audit_filter: AuditFilter):
    """The filtered history of the kind asked (every kind when none), as one union."""
    kind = audit_filter.form.cleaned_data.get("loai") if audit_filter.form.is_valid() else ""
    kinds = [changes.BY_KEY[kind]] if kind in changes.BY_KEY else changes.KINDS
    filtered = {}
    for k in kinds:
        one = AuditFilter(audit_filter.data, queryset=changes.history_queryset(k))
        filtered[k.key] = one.qs
    return changes.union(filtered)


def _reads_queryset(audit_filter: AuditFilter):
    one = AuditFilter(audit_filter.data, queryset=SensitiveRead.objects.select_related("user", "organisation"))
    return one.qs.order_by("-at", "-pk")


@login_required
@require_GET
def audit_page(request):
    audit_user_or_404(request)
    audit_filter = AuditFilter(request.GET, queryset=SensitiveRead.objects.none())  # the form; each table below
    context = {"filter": audit_filter, "reads": audit_filter.reads}
    if audit_filter.form.is_valid():
        if audit_filter.reads:
            page, querystring = paginate(request, _reads_queryset(audit_filter), PER_PAGE)
            page.object_list = reads.complete(list(page.object_list))
        else:
            page, querystring = paginate(request, _changes_queryset(audit_filter), PER_PAGE)
            page.object_list = changes.complete(page.object_list)
        context.update(page=page, querystring=querystring, export_query=request.GET.urlencode())
    return render(request, "reports/audit/audit.html", context)


@login_required
@require_GET
def audit_xlsx(request):
    audit_user_or_404(request)
    audit_filter = AuditFilter(request.GET, queryset=SensitiveRead.objects.none())  # the form; each table below
    if not audit_filter.form.is_valid():
        audit_filter = AuditFilter({}, queryset=SensitiveRead.objects.none())
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    if audit_filter.reads:
        book = xlsx.reads_xlsx(_reads_queryset(audit_filter))
        name = common.ascii_filename("nhat-ky-xem-du-lieu", stamp, ext="xlsx")
    else:
        book = xlsx.changes_xlsx(_changes_queryset(audit_filter))
        name = common.ascii_filename("nhat-ky-thay-doi", stamp, ext="xlsx")
    return workbook_response(book, name)
