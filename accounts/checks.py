"""A production deployment that asks nobody for a second factor says so at start-up."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def second_factor_required(app_configs, **kwargs) -> list[Warning]:
    if settings.DEBUG or settings.PARTYHUB_REQUIRE_OTP_ROLES:
        return []
    return [
        Warning(
            "Xác thực hai bước đang tắt (PARTYHUB_REQUIRE_OTP=0): cán bộ Ban Tổ chức và quản trị viên "
            "đăng nhập chỉ bằng mật khẩu.",
            hint="Bỏ PARTYHUB_REQUIRE_OTP=0 khỏi biến môi trường của máy chủ chạy thật.",
            id="accounts.W001",
        )
    ]
