"""The signed-in user's own account: changing the password, the second factor."""

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import second_factor
from .forms import CodeForm


class PasswordChange(auth_views.PasswordChangeView):
    """Django's view (old password, new one twice, AUTH_PASSWORD_VALIDATORS); the session stays signed in."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, gettext_lazy("Đã đổi mật khẩu. Lần đăng nhập sau hãy dùng mật khẩu mới."))
        return response


def _next_url(request) -> str:
    """Where to go after the second factor: the page first asked for, if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


@login_required
def otp_verify(request):
    """Confirm this login with the authenticator's code or a recovery code."""
    user = request.user
    if not second_factor.has_app_device(user):
        return redirect(f"{reverse('accounts:otp_enrol')}?{request.GET.urlencode()}")
    if second_factor.is_verified(user):
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = second_factor.throttled_seconds(user)
        device = second_factor.check_code(user, form.cleaned_data["code"])
        if device is not None:
            django_otp.login(request, device)
            if second_factor.is_recovery_device(device):
                messages.warning(
                    request,
                    _(
                        "Bạn vừa dùng một mã dự phòng; mã đó không dùng lại được. Còn %(left)d mã. "
                        "Nếu mất điện thoại, hãy thiết lập lại ứng dụng xác thực ở trang Xác thực hai bước."
                    )
                    % {"left": second_factor.recovery_codes_left(user)},
                )
            return redirect(_next_url(request))
        if wait:
            form.add_error(
                "code",
                _("Đã nhập sai nhiều lần. Hãy chờ %(seconds)d giây rồi nhập mã mới.") % {"seconds": wait},
            )
        else:
            form.add_error("code", _("Mã không đúng hoặc đã hết hạn. Hãy nhập mã đang hiện trong ứng dụng."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@login_required
def otp_enrol(request):
    """Set up an authenticator app: scan or type the secret, confirm with a code, get ten recovery codes.

    Someone who already has an app device may set up a new one (a new phone) only from a confirmed
    session; otherwise the password alone would let anyone replace the second factor.
    """
    user = request.user
    if not second_factor.is_required(user) and not second_factor.has_app_device(user):
        raise Http404
    if second_factor.has_app_device(user) and not second_factor.is_verified(user):
        return redirect(f"{reverse('accounts:otp_verify')}?{request.GET.urlencode()}")
    device = second_factor.pending_app_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = second_factor.throttled_seconds_for(device)
        codes = second_factor.confirm_app_device(user, device, form.cleaned_data["code"])
        if codes is not None:
            device.refresh_from_db()
            django_otp.login(request, device)
            # Shown once, in this response: the codes are not kept anywhere they could be shown again.
            return render(
                request,
                "accounts/otp_recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
        if wait:
            form.add_error(
                "code",
                _("Đã nhập sai nhiều lần. Hãy chờ %(seconds)d giây rồi nhập mã mới.") % {"seconds": wait},
            )
        else:
            form.add_error("code", _("Mã không đúng. Hãy kiểm tra giờ trên điện thoại và nhập mã đang hiện."))
    uri = device.config_url
    context = {
        "form": form,
        "next": _next_url(request),
        "uri": uri,
        "qr": segno.make(uri, error="m").svg_data_uri(scale=4, border=2),
        "secret": second_factor.grouped_secret(device),
        "replacing": second_factor.has_app_device(user),
    }
    return render(request, "accounts/otp_enrol.html", context)


@login_required
def otp_settings(request):
    """The user's second factor: since when, how many recovery codes are left, new codes, a new phone."""
    user = request.user
    context = {
        "required": second_factor.is_required(user),
        "device": second_factor.app_device(user),
        "codes_left": second_factor.recovery_codes_left(user),
        "verified": second_factor.is_verified(user),
    }
    return render(request, "accounts/otp_settings.html", context)


@login_required
@require_POST
def otp_recovery_codes(request):
    """Ten new recovery codes for a confirmed session; the old ones stop working."""
    user = request.user
    if not second_factor.has_app_device(user) or not second_factor.is_verified(user):
        return redirect("accounts:otp_settings")
    codes = second_factor.new_recovery_codes(user)
    return render(
        request,
        "accounts/otp_recovery_codes.html",
        {"codes": codes, "next": reverse("accounts:otp_settings"), "first_time": False},
    )
