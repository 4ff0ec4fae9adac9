"""The digest's pages: the user's preferences, a preview of any month's digest, the one-click unsubscribe."""

import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from ..models import DigestDelivery, DigestPreference
from ..progress import periods
from . import schedule
from .content import build_digest
from .forms import DigestPreferenceForm
from .message import render as render_message
from .message import user_id_from_token
from .recipients import DIGEST_ROLES, recipient_for, recipients
from .services import digest_preference_set, digest_unsubscribe


def _edition_from(request) -> tuple[datetime.date, str]:
    """The month asked for (`thang=2026-11`), else this month's edition, with the reason."""
    today_edition = schedule.edition(timezone.localdate())
    text = request.GET.get("thang", "").strip()
    if not text:
        return today_edition, ""
    try:
        period = periods.parse(text)
    except periods.PeriodError as error:
        return today_edition, str(error)
    if period.kind != "month" or not 2000 <= period.start.year <= 2100:
        return today_edition, _("Hãy chọn một tháng, ví dụ 2026-11.")
    return period.start, ""


def _preview_user(request):
    """Administrators may preview anyone's digest; everyone else only their own (others are 404)."""
    wanted = request.GET.get("nguoi", "").strip()
    if not wanted or wanted == str(request.user.pk):
        return request.user
    if not request.user.is_superuser:
        raise Http404(_("Không tìm thấy người nhận trong phạm vi của bạn."))
    try:
        return get_user_model().objects.get(pk=int(wanted))
    except (ValueError, get_user_model().DoesNotExist):
        raise Http404(_("Không tìm thấy người nhận.")) from None


@login_required
@require_GET
def preview(request):
    user = _preview_user(request)
    edition, month_error = _edition_from(request)
    recipient = recipient_for(user, schedule.reported_month(edition))
    digest = build_digest(recipient, edition) if recipient is not None else None
    rendered = render_message(digest) if digest is not None else None
    if rendered is not None and request.GET.get("dang") == "text":
        return HttpResponse(rendered.text, content_type="text/plain; charset=utf-8")
    context = {
        "shown_user": user,
        "edition": edition,
        "month_error": month_error,
        "recipient": recipient,
        "digest": digest,
        "rendered": rendered,
    }
    if request.user.is_superuser:
        context.update(_administrator_context(edition))
    return render(request, "reports/digest/preview.html", context)


def _administrator_context(edition: datetime.date) -> dict:
    """Who receives what, and what the administrators must fix (accounts without an address)."""
    everyone = recipients(schedule.reported_month(edition), include_opted_out=True)
    statuses = dict(
        DigestDelivery.objects.filter(month=edition).order_by().values_list("status").annotate(n=Count("pk"))
    )
    return {
        "all_recipients": everyone,
        "without_email": [r for r in everyone if not r.email],
        "opted_out": [r for r in everyone if r.opted_out],
        "delivery_counts": statuses,
    }


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    current = DigestPreference.objects.filter(user=request.user).first() or DigestPreference(user=request.user)
    form = DigestPreferenceForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        digest_preference_set(
            user=request.user, opted_out=form.cleaned_data["opted_out"], language=form.cleaned_data["language"]
        )
        messages.success(request, _("Đã lưu tùy chọn bản tin tháng."))
        return redirect("reports:digest_preferences")
    edition = schedule.edition(timezone.localdate())
    context = {
        "form": form,
        "recipient": recipient_for(request.user, schedule.reported_month(edition)),
        "edition": edition,
        "roles": [role.label for role in DIGEST_ROLES],
    }
    return render(request, "reports/digest/preferences.html", context)


@csrf_exempt  # mail clients POST here without a session (RFC 8058); the signed token is the credential
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    user_id = user_id_from_token(token)
    if user_id is None:
        return render(request, "reports/digest/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        if digest_unsubscribe(user_id=user_id) is None:
            return render(request, "reports/digest/unsubscribe.html", {"invalid": True}, status=400)
        return render(request, "reports/digest/unsubscribe.html", {"done": True})
    # A GET only asks: link scanners open every URL in a message, and must not unsubscribe anyone.
    return render(request, "reports/digest/unsubscribe.html", {"token": token})
