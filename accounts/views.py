"""The signed-in user's own account: changing the password."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _


class PasswordChange(auth_views.PasswordChangeView):
    """Django's view (old password, new one twice, AUTH_PASSWORD_VALIDATORS); the session stays signed in."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Đã đổi mật khẩu. Lần đăng nhập sau hãy dùng mật khẩu mới."))
        return response
