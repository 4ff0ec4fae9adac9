"""Writes of the digest's preferences: what the preferences page and the unsubscribe link do."""

from django.contrib.auth import get_user_model
from django.db import transaction

from ..models import DigestPreference
from .recipients import DEFAULT_LANGUAGE


@transaction.atomic
def digest_preference_set(*, user, opted_out: bool, language: str) -> DigestPreference:
    preference, _created = DigestPreference.objects.update_or_create(
        user=user, defaults={"opted_out": opted_out, "language": language or DEFAULT_LANGUAGE}
    )
    return preference


@transaction.atomic
def digest_unsubscribe(*, user_id: int) -> DigestPreference | None:
    """Opt the user out (the one-click link); None when the user no longer exists."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return None
    preference, _created = DigestPreference.objects.update_or_create(user=user, defaults={"opted_out": True})
    return preference
