"""The bell's list (it marks what it shows as read), opening one notification, and the user's channels."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members import scoping
from partyhub.pagination import paginate

from ..notifications.models import Notification, NotificationPreference

PER_PAGE = 25


def visible_notifications(user):
    """The user's own in-app rows, about candidates still inside their subtrees (or about none)."""
    rows = Notification.objects.filter(user=user, in_app=True)
    if user.is_superuser:
        return rows
    return rows.filter(Q(candidate__isnull=True) | scoping.subtree_q(scoping.root_paths(user), "candidate__cell__path"))


@login_required
@require_GET
def notification_list(request):
    page, querystring = paginate(request, visible_notifications(request.user).order_by("-created_at", "-pk"), PER_PAGE)
    rows = list(page.object_list)
    unread = [r.pk for r in rows if r.read_at is None]
    if unread:
        Notification.objects.filter(pk__in=unread, user=request.user).update(read_at=timezone.now())
    context = {"rows": rows, "unread_ids": set(unread), "page": page, "querystring": querystring}
    return render(request, "recruitment/notifications.html", context)


@login_required
@require_GET
def notification_unread(request):
    """The bell's badge (a fragment the navbar loads after the page): the count of unread notifications."""
    count = visible_notifications(request.user).filter(read_at__isnull=True).count()
    return render(request, "recruitment/_unread_badge.html", {"count": count})


@login_required
@require_POST
def notification_read_all(request):
    visible_notifications(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, _("Đã đánh dấu tất cả thông báo là đã đọc."))
    return redirect("recruitment:notifications")


@login_required
@require_GET
def notification_open(request, pk):
    try:
        row = visible_notifications(request.user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy thông báo.") from None
    if row.read_at is None:
        Notification.objects.filter(pk=row.pk).update(read_at=timezone.now())
    if row.url and url_has_allowed_host_and_scheme(row.url, allowed_hosts=None):
        return redirect(row.url)
    return redirect("recruitment:notifications")


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["in_app", "email"]
        help_texts = {
            "in_app": gettext_lazy("Chuông thông báo trên thanh menu và trang Thông báo."),
            "email": gettext_lazy(
                "Email khi hồ sơ bị trả lại, có quyết định kết nạp, có trả lời thẩm tra lý lịch, và nhắc hạn hằng tuần."
            ),
        }


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    preference = NotificationPreference.objects.filter(user=request.user).first() or NotificationPreference(
        user=request.user
    )
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Đã lưu tùy chọn thông báo."))
        return redirect("recruitment:notification_preferences")
    return render(request, "recruitment/notification_preferences.html", {"form": form})
