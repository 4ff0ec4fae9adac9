"""Who must confirm a login with a second factor, and checking the code they type.

Board staff, administrators and superusers (PARTYHUB_REQUIRE_OTP_ROLES; an empty setting turns the
requirement off for everyone) confirm every login with a TOTP code from an authenticator app or with
one of ten one-time recovery codes (django-otp's TOTPDevice and StaticDevice). The session then
carries the device (django_otp.login), and accounts.middleware.RequireSecondFactor lets it through.
"""

import re
from base64 import b32encode

import django_otp
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from members import scoping

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Ứng dụng xác thực"
RECOVERY_DEVICE_NAME = "Mã dự phòng"


def is_required(user) -> bool:
    """Whether this signed-in user must pass the second factor (their role assignments are cached per request)."""
    roles = set(settings.PARTYHUB_REQUIRE_OTP_ROLES)
    if not roles or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return any(assignment.role in roles for assignment in scoping.role_assignments(user))


def is_verified(user) -> bool:
    """Set by django_otp's OTPMiddleware: this session confirmed a code of one of the user's devices."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def app_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def has_app_device(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def pending_app_device(user) -> TOTPDevice:
    """The device being set up: the same secret on every reload until it is confirmed."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def grouped_secret(device: TOTPDevice) -> str:
    """The base32 secret as an app asks for it when typed by hand, in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _digits(code: str) -> str:
    return re.sub(r"\s+", "", code)


def _recovery(code: str) -> str:
    return re.sub(r"[\s-]+", "", code).lower()


def confirm_app_device(user, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the pending device with a code it shows; it replaces any earlier app device.

    Returns a new set of recovery codes (any earlier set no longer works), or None if the code is wrong.
    """
    code = _digits(code)
    if not code.isdigit():
        return None
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
        if device is None or not device.verify_token(code):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return new_recovery_codes(user)


def new_recovery_codes(user) -> list[str]:
    """Ten fresh one-time codes; the earlier ones stop working. Only their owner sees them, once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes = [_recovery_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _recovery_token() -> str:
    """8 random base32 characters (40 bits), with at least one letter so it never reads as an app code."""
    while True:
        token = StaticToken.random_token()
        if not token.isdigit():
            return token


def is_recovery_device(device) -> bool:
    return isinstance(device, StaticDevice)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def check_code(user, code: str):
    """The device that accepts this code (an app's 6 digits or an unused recovery code), or None.

    A recovery code is used up. Each device throttles its own failures (1, 2, 4, 8... seconds).
    """
    digits = _digits(code)
    if digits.isdigit():
        for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
            verified = django_otp.verify_token(user, device.persistent_id, digits)
            if verified is not None:
                return verified
    recovery = _recovery(code)
    if recovery and not recovery.isdigit():
        for device in StaticDevice.objects.devices_for_user(user, confirmed=True):
            verified = django_otp.verify_token(user, device.persistent_id, recovery)
            if verified is not None:
                return verified
    return None


def throttled_seconds_for(device) -> int:
    """How long before this device takes another code after repeated wrong ones (0: now)."""
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return 0
    return max(1, int((data["locked_until"] - timezone.now()).total_seconds()) + 1)


def throttled_seconds(user) -> int:
    """The longest wait among the user's devices; a code typed before then is refused unread."""
    devices = [
        *TOTPDevice.objects.devices_for_user(user, confirmed=True),
        *StaticDevice.objects.devices_for_user(user, confirmed=True),
    ]
    return max((throttled_seconds_for(device) for device in devices), default=0)
