"""The "recompute now" button and its progress bar (htmx polls the run until it is finished).

Starting a run needs a committee role over the unit (secretary, deputy, board staff); following one
is open to whoever started it and to anyone who sees its unit. Outsiders get 404, as everywhere.
"""

from celery import current_app
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from members import scoping
from recruitment.permissions import is_committee_over

from . import jobs, periods


def recompute_button_context(user, organisation, period, computed_at) -> dict:
    """What `reports/_recompute_button.html` needs; the dashboard view adds it to its context."""
    return {
        "organisation": organisation,
        "period": period,
        "computed_at": computed_at,
        "can_recompute": is_committee_over(user, organisation),
    }


def _render_progress(request, progress: jobs.RunProgress):
    response = render(request, "reports/_recompute_progress.html", {"progress": progress})
    if progress.finished:
        # The page's figures come from the snapshots just written: reload it.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def recompute(request, org_pk):
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    if not is_committee_over(request.user, organisation):
        raise PermissionDenied
    today = timezone.localdate()
    on_screen = []
    if text := request.POST.get("period", "").strip():
        try:
            on_screen = [periods.parse(text).key]
        except periods.PeriodError as error:
            return HttpResponseBadRequest(str(error))
    keys = jobs.standard_period_keys(today, on_screen)
    run_id: str | None
    if current_app.conf.task_always_eager:
        # Without a worker the run happens inside this request: only the unit on screen, not minutes
        # of its subtree.
        run_id = jobs.start_recompute(
            org_ids=[organisation.pk], organisation=organisation, period_keys=keys, today=today, user_id=request.user.pk
        )
    else:
        # With one, the unit and its whole subtree, through the outbox (nothing lost if Redis blips).
        run_id = jobs.recompute_subtree(organisation, period_keys=keys, today=today, user_id=request.user.pk)
    if run_id is None:
        deferred = _(
            "Chưa bắt đầu tính lại được ngay vì hàng đợi xử lý tạm thời không liên lạc được. "
            "Yêu cầu đã được ghi lại và sẽ tự chạy trong vài phút; hãy tải lại trang sau đó."
        )
        if request.htmx:
            return render(request, "reports/_recompute_deferred.html", {"message": deferred})
        messages.warning(request, deferred)
    elif request.htmx:
        return _render_progress(request, jobs.run_progress(run_id))
    else:
        messages.info(request, _("Đã bắt đầu tính lại số liệu; trang sẽ có số mới khi tính xong."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = organisation.get_absolute_url()
    return redirect(target)


def _may_follow(user, progress: jobs.RunProgress) -> bool:
    if progress.user_id is not None and progress.user_id == user.pk:
        return True
    if progress.organisation_id is None:
        return bool(user.is_superuser)
    return scoping.organisations_for(user).filter(pk=progress.organisation_id).exists()


@login_required
@require_GET
def recompute_status(request, run_id):
    progress = jobs.run_progress(run_id)
    if progress is None or not _may_follow(request.user, progress):
        raise Http404(_("Không tìm thấy lượt tính lại này."))
    return _render_progress(request, progress)
