"""System checks that make a half-configured production deployment fail loudly at start-up."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=False)
def production_configuration(app_configs, **kwargs) -> list[Error]:
    if settings.DEBUG:
        return []
    errors = []
    # "CHANGE-ME" marks the placeholders of deploy/env.example: a copied template is not a configuration.
    if not settings.SECRET_KEY or settings.SECRET_KEY == settings.DEV_SECRET_KEY or "CHANGE-ME" in settings.SECRET_KEY:
        errors.append(
            Error(
                "SECRET_KEY chưa được đặt cho môi trường chạy thật (DJANGO_DEBUG=0).",
                hint="Đặt biến môi trường SECRET_KEY: một chuỗi ngẫu nhiên dài ít nhất 50 ký tự.",
                id="partyhub.E001",
            )
        )
    if not settings.ALLOWED_HOSTS:
        errors.append(
            Error(
                "ALLOWED_HOSTS trống trong môi trường chạy thật.",
                hint="Đặt ALLOWED_HOSTS, ví dụ ALLOWED_HOSTS=partyhub.example.vn",
                id="partyhub.E002",
            )
        )
    if not settings.EMAIL_CONFIGURED or "console" in settings.EMAIL_BACKEND or "locmem" in settings.EMAIL_BACKEND:
        errors.append(
            Error(
                "Chưa cấu hình máy chủ thư (EMAIL_URL) nên bản tin hằng tháng không thể gửi đi.",
                hint="Đặt EMAIL_URL, ví dụ smtp+tls://user:password@smtp.example.vn:587",
                id="partyhub.E003",
            )
        )
    return errors
