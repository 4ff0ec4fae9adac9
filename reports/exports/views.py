"""Downloads of the reports: thin views; anyone who sees the organisation may export it, except the
whole subtree in the import format (`export_import_format`), which only those who may import get.

The workbooks are written to a temporary file and streamed from it (FileResponse), so a large
subtree is never held in memory as both the workbook and the response.
"""

import io
import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from members import scoping

from .. import sensitive
from ..imports import jobs as import_jobs
from ..imports.export import export_workbook
from ..models import ExportKind, ExportRun, ExportStatus
from ..progress import periods, snapshots
from ..progress.selection import period_from_request
from . import common, pdf, xlsx
from . import jobs as export_jobs
from .responses import XLSX, workbook_response


def _report(request, org_pk):
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    today = timezone.localdate()
    period, _error = period_from_request(request, default=periods.term_containing(today))
    report = snapshots.report_for(organisation, period, today).report
    # Ethnicity and religion only for those who may see them (reports/sensitive.py).
    may_see = scoping.can_see_sensitive(request.user, organisation)
    return organisation, period, today, sensitive.for_viewer(report, may_see)


@login_required
@require_GET
def progress_xlsx(request, org_pk):
    organisation, period, _today, report = _report(request, org_pk)
    name = common.ascii_filename("bao-cao-tien-do", organisation.code, period.key, ext="xlsx")
    return workbook_response(xlsx.progress_xlsx(report), name)


@login_required
@require_GET
def progress_pdf(request, org_pk):
    organisation, period, today, report = _report(request, org_pk)
    name = common.ascii_filename("bao-cao-tien-do", organisation.code, period.key, ext="pdf")
    response = HttpResponse(pdf.progress_pdf(organisation, report, today), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def breakdown_xlsx(request, org_pk):
    organisation, period, _today, report = _report(request, org_pk)
    name = common.ascii_filename("bieu-2-btctw", organisation.code, period.key, ext="xlsx")
    return workbook_response(xlsx.breakdown_xlsx(report), name)


@login_required
@require_GET
def deadlines_xlsx(request, org_pk):
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    today = timezone.localdate()
    name = common.ascii_filename("han-xu-ly", organisation.code, today.isoformat(), ext="xlsx")
    return workbook_response(xlsx.deadlines_xlsx(organisation, today), name)


@login_required
@require_GET
def people_xlsx(request, org_pk):
    """The organisation page's member list with the same filters, every row (no pages).

    More than export_jobs.async_rows() members: made by a worker behind a progress bar.
    """
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    member_filter = export_jobs.member_filter(request.user, organisation, request.GET)
    if member_filter.refused:
        raise PermissionDenied(member_filter.REFUSED)
    members = member_filter.qs
    rows = members.count()
    if rows > export_jobs.async_rows():
        return _in_background(request, organisation, ExportKind.PEOPLE, rows)
    name = export_jobs.filename_for(organisation, ExportKind.PEOPLE, timezone.localdate())
    return workbook_response(xlsx.people_xlsx(members, title=organisation.name), name)


@login_required
@require_GET
def export_import_format(request, org_pk):
    """The unit's whole subtree in the import workbook format, to move it or edit it and import it back.

    Board staff and administrators only, as for imports: the file holds every person of the subtree
    with the citizen ID, ethnicity and religion (docs/domain.md §6). A large subtree is made by a worker.
    """
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    if not import_jobs.can_import(request.user, organisation):
        raise PermissionDenied
    members = export_jobs.subtree_members(organisation)
    if members > export_jobs.async_rows():
        return _in_background(request, organisation, ExportKind.IMPORT_FORMAT, members)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    export_jobs.log_import_format_read(request.user, organisation, export_workbook(organisation, spool))
    spool.seek(0)
    name = export_jobs.filename_for(organisation, ExportKind.IMPORT_FORMAT, timezone.localdate())
    return FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX)


def _in_background(request, organisation, kind: str, rows: int):
    run = export_jobs.start_export(
        user=request.user, organisation=organisation, kind=kind, query=request.GET, rows=rows
    )
    return redirect("reports:export_run", export_pk=run.pk)


def _run_or_404(user, export_pk) -> ExportRun:
    try:
        return export_jobs.runs_for(user).get(pk=export_pk)
    except (ExportRun.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Không tìm thấy lượt xuất tệp này.")) from None


@login_required
@require_GET
def run_page(request, export_pk):
    """A background export: its progress bar (polled by htmx), then the link to the file."""
    run = export_jobs.expire_if_stale(_run_or_404(request.user, export_pk))
    done, total, percent = export_jobs.progress_of(run)
    context = {
        "run": run,
        "organisation": run.organisation,
        "done": done,
        "total": total,
        "percent": percent,
        "failure_message": export_jobs.failure_message(run),
    }
    if request.htmx:
        response = render(request, "reports/exports/_run_progress.html", context)
        if run.finished:
            response["HX-Refresh"] = "true"
        return response
    return render(request, "reports/exports/run.html", context)


@login_required
@require_GET
def run_file(request, export_pk):
    run = _run_or_404(request.user, export_pk)
    content = ExportRun.objects.filter(pk=run.pk, status=ExportStatus.DONE).values_list("content", flat=True).first()
    if content is None:
        # Not made yet, failed, or cleared after KEEP_HOURS: the run page says which.
        return redirect("reports:export_run", export_pk=run.pk)
    return FileResponse(io.BytesIO(bytes(content)), as_attachment=True, filename=run.filename, content_type=XLSX)
