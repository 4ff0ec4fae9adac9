"""Downloads of the reports: thin views; anyone who sees the organisation may export it, except the
whole subtree in the import format (`export_import_format`), which only those who may import get.

The workbooks are written to a temporary file and streamed from it (FileResponse), so a large
subtree is never held in memory as both the workbook and the response.
"""

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from members import scoping
from members.filters import MemberFilter
from partyhub import audit

from .. import sensitive
from ..imports import jobs as import_jobs
from ..imports.columns import CANDIDATES, MEMBERS
from ..imports.export import export_workbook
from ..progress import periods, snapshots
from ..progress.selection import period_from_request
from . import common, pdf, xlsx
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
    """The organisation page's member list with the same filters, every row (no pages)."""
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    members = (
        scoping.members_for(request.user)
        .filter(cell__path__startswith=organisation.path)
        .order_by("person__full_name", "pk")
    )
    member_filter = MemberFilter(
        request.GET,
        queryset=members,
        organisation=organisation,
        sees_sensitive=scoping.can_see_sensitive(request.user, organisation),
    )
    if member_filter.refused:
        raise PermissionDenied(member_filter.REFUSED)
    name = common.ascii_filename("danh-sach-dang-vien", organisation.code, ext="xlsx")
    return workbook_response(xlsx.people_xlsx(member_filter.qs, title=organisation.name), name)


@login_required
@require_GET
def export_import_format(request, org_pk):
    """The unit's whole subtree in the import workbook format, to move it or edit it and import it back.

    Board staff and administrators only, as for imports: the file holds every person of the subtree
    with the citizen ID, ethnicity and religion (docs/domain.md §6).
    """
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    if not import_jobs.can_import(request.user, organisation):
        raise PermissionDenied
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    counts = export_workbook(organisation, spool)
    # The log of sensitive reads: one row for the file, its subtree and how many people it holds.
    people = counts.get(MEMBERS.title, 0) + counts.get(CANDIDATES.title, 0)
    audit.sensitive_shown(
        request.user, fields=audit.PERSONAL, where="import_format_xlsx", organisation=organisation, count=people
    )
    spool.seek(0)
    name = common.ascii_filename("du-lieu", organisation.code, timezone.localdate().isoformat(), ext="xlsx")
    return FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX)
