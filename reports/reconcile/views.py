"""Reconciliation with the national party-member database (reports/reconcile/, docs/reconciliation.md).

Board staff and administrators over the unit; anyone else who sees the unit gets 403, anyone who
does not, 404. Nothing here writes to the database: the upload is read, compared and shown, and
the result is kept in the cache for its Excel download only (reports/reconcile/store.py).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members import scoping
from partyhub import audit

from ..exports import common
from ..exports.responses import workbook_response
from ..navigation import breadcrumbs
from ..progress import periods
from . import compare, national, selectors, store, xlsx
from .access import can_reconcile
from .forms import NationalListForm

# Rows of each group shown on the page; the Excel download always has them all.
SHOWN_PER_GROUP = 300


def _board_organisation(request, org_pk):
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    if not can_reconcile(request.user, organisation):
        raise PermissionDenied
    return organisation


def _page_context(request, organisation, form) -> dict:
    today = timezone.localdate()
    return {
        "organisation": organisation,
        "breadcrumbs": [*breadcrumbs(request.user, organisation), organisation],
        "form": form,
        "columns": national.COLUMNS,
        "max_size": national.size_text(national.max_bytes()),
        "max_rows": national.max_rows(),
        "header_rows": national.HEADER_SEARCH_ROWS,
        "this_year": today.year,
        "keep_minutes": store.keep_seconds() // 60,
    }


def _groups(result: compare.Reconciliation) -> dict:
    """Each group cut to what the page shows, with its full count."""
    return {
        name: {"rows": getattr(result, name)[:SHOWN_PER_GROUP], "total": len(getattr(result, name))}
        for name in ("only_here", "only_there", "differing", "matched_by_name_dob", "problems")
    }


@login_required
@require_http_methods(["GET", "POST"])
def reconcile(request, org_pk):
    organisation = _board_organisation(request, org_pk)
    form = NationalListForm(request.POST, request.FILES) if request.method == "POST" else NationalListForm()
    context = _page_context(request, organisation, form)
    if request.method == "POST" and form.is_valid():
        national_list = form.national_list
        active, left = selectors.members_to_reconcile(request.user, organisation)
        result = compare.reconcile_list(active, national_list, left=left)
        # The report shows citizen IDs: one row of the log of sensitive reads (partyhub/audit.py).
        audit.sensitive_shown(
            request.user,
            fields=[audit.CITIZEN_ID],
            where="reconcile_page",
            organisation=organisation,
            count=result.counts["ours"],
        )
        made_at = timezone.localtime()
        file_name = form.cleaned_data["file"].name
        token = store.keep(request.user, organisation, {"result": result, "file_name": file_name, "made_at": made_at})
        context.update(
            {
                "result": result,
                "counts": result.counts,
                "groups": _groups(result),
                "shown_per_group": SHOWN_PER_GROUP,
                "national_list": national_list,
                "missing_columns": national_list.missing_columns,
                "file_name": file_name,
                "made_at": made_at,
                "token": token,
                "form": NationalListForm(),
            }
        )
        return render(request, "reports/reconcile/report.html", context)
    return render(request, "reports/reconcile/upload.html", context)


@login_required
@require_POST
def report_xlsx(request, org_pk):
    """The difference report of a reconciliation shown a moment ago (kept in the cache)."""
    organisation = _board_organisation(request, org_pk)
    stored = store.fetch(request.user, organisation, request.POST.get("token", ""))
    if stored is None:
        messages.warning(
            request,
            _("Kết quả đối chiếu không còn được lưu (quá %(minutes)s phút); hãy tải tệp lên để đối chiếu lại.")
            % {"minutes": store.keep_seconds() // 60},
        )
        return redirect("reports:reconcile", org_pk=organisation.pk)
    made_at = stored["made_at"]
    book = xlsx.report_xlsx(
        stored["result"], organisation_name=organisation.name, file_name=stored["file_name"], made_at=made_at
    )
    name = common.ascii_filename("doi-chieu-csdl", organisation.code, made_at.strftime("%Y-%m-%d-%H%M"), ext="xlsx")
    return workbook_response(book, name)


@login_required
@require_GET
def upward_xlsx(request, org_pk):
    """Members admitted or recognised in a period (`period`, e.g. 2026, 2025-2030, 2026-04), in the
    national list's columns: what the board sends upward."""
    organisation = _board_organisation(request, org_pk)
    key = (request.GET.get("period") or request.GET.get("ky") or "").strip() or str(timezone.localdate().year)
    try:
        period = periods.parse(key)
    except periods.PeriodError as error:
        messages.error(request, str(error))
        return redirect("reports:reconcile", org_pk=organisation.pk)
    rows = selectors.admitted_or_recognised(request.user, organisation, period)
    written = 0

    def counted():
        nonlocal written
        for row in rows:
            written += 1
            yield row

    book = xlsx.upward_xlsx(counted())
    # The file holds citizen IDs: one row of the log of sensitive reads (partyhub/audit.py).
    audit.sensitive_shown(
        request.user, fields=[audit.CITIZEN_ID], where="upward_xlsx", organisation=organisation, count=written
    )
    name = common.ascii_filename("ket-nap-cong-nhan", organisation.code, period.key, ext="xlsx")
    return workbook_response(book, name)
