"""Excel import from the browser: the upload page, a run's page (progress bar, then the report), the
marked workbook and the empty template.

Uploading needs board staff or an administrator role over the unit (jobs.can_import); a unit
outside the user's subtree is 404, as everywhere. A run is seen only by whoever uploaded it (and
superusers): its report quotes the file, which may hold personal data.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from members import scoping

from ..exports import common
from ..models import ImportRun, ImportStatus
from ..navigation import breadcrumbs
from . import jobs as import_jobs
from .columns import SHEETS
from .forms import ImportUploadForm
from .marked import marked_workbook
from .template import template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_RUNS = 10
# A report longer than this is summarised on the page; the marked workbook holds every line.
ISSUES_ON_PAGE = 500


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _run_or_404(user, run_pk):
    try:
        return import_jobs.runs_for(user).get(pk=run_pk)
    except (ImportRun.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Không tìm thấy lượt nhập này.")) from None


@login_required
@require_http_methods(["GET", "POST"])
def upload(request, org_pk):
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    if not import_jobs.can_import(request.user, organisation):
        raise PermissionDenied
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    if form.is_bound and form.is_valid():
        run = import_jobs.create_run(
            user=request.user,
            organisation=organisation,
            upload=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
        )
        import_jobs.start_import(run)
        return redirect("reports:import_run", run_pk=run.pk)
    runs = (
        import_jobs.runs_for(request.user)
        .defer("result")
        .filter(created_by=request.user, organisation=organisation)
        .order_by("-created_at")[:RECENT_RUNS]
    )
    return render(
        request,
        "reports/imports/upload.html",
        {
            "organisation": organisation,
            "breadcrumbs": [*breadcrumbs(request.user, organisation), organisation],
            "form": form,
            "runs": list(runs),
            "sheets": SHEETS,
            "max_mb": import_jobs.max_bytes() // (1024 * 1024),
            "async_rows": import_jobs.async_rows(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def run_page(request, run_pk):
    run = import_jobs.expire_if_stale(_run_or_404(request.user, run_pk))
    done, total, percent = import_jobs.progress_of(run)
    context = {
        "run": run,
        "organisation": run.organisation,
        "done": done,
        "total": total,
        "percent": percent,
        "failure_message": import_jobs.failure_message(run),
    }
    if request.htmx:
        response = render(request, "reports/imports/_progress.html", context)
        if run.finished:
            # The report replaces the bar: reload the whole page.
            response["HX-Refresh"] = "true"
        return response
    result = import_jobs.result_of(run)
    if result is not None:
        issues = result.issues
        context.update(
            result=result,
            issues=issues[:ISSUES_ON_PAGE],
            issue_count=import_jobs.issue_count(run),
            more_issues=max(len(issues) - ISSUES_ON_PAGE, 0),
            counts=list(result.counts.items()),
            written=result.imported and run.status == ImportStatus.DONE,
            changed=sum(c.created + c.updated for c in result.counts.values()),
        )
    return render(request, "reports/imports/run.html", context)


@login_required
@require_GET
def marked(request, run_pk):
    run = _run_or_404(request.user, run_pk)
    if not run.finished or run.result is None:
        return redirect("reports:import_run", run_pk=run.pk)
    content, made = ImportRun.objects.values_list("content", "marked").get(pk=run.pk)
    if content is None:
        messages.warning(
            request,
            _("Tệp đã tải lên chỉ được giữ %(days)s ngày và nay đã xóa; hãy tải tệp lên lại để có báo cáo.")
            % {"days": import_jobs.KEEP_DAYS},
        )
        return redirect("reports:import_run", run_pk=run.pk)
    stem = run.filename.rsplit(".", 1)[0]
    # A background run's workbook was made by the worker; a small run's is made now, in a moment.
    data = bytes(made) if made is not None else marked_workbook(bytes(content), import_jobs.result_of(run).issues)
    return _xlsx_response(data, common.ascii_filename(stem, "loi", ext="xlsx"))


@login_required
@require_GET
def template(request):
    # An empty form with example values: nothing in it is anyone's data, so any signed-in user may have it.
    return _xlsx_response(template_workbook(), "mau-nhap-du-lieu-partyhub.xlsx")
