from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in: lockout after repeated failures, the password policy, the second factor (docs/security.md)."""

    name = "accounts"
    verbose_name = "Đăng nhập"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy check)
