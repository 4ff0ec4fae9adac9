"""Emailing the notifications once, whatever retries, reruns and dead workers do (as reports/digest/delivery.py).

1. `claim_many` moves rows to *claimed* with one conditional UPDATE: only a pending row, or a claimed one
   whose claim is older than the lease (its worker died), matches; of two workers racing, one wins.
2. The claimed rows go out over one SMTP connection; each is marked *sent* right after the server
   accepted it (one UPDATE), or *skipped* (email turned off meanwhile, no address) or *failed*.

The one window: the server accepted a message and the worker died before marking it; after the lease the
row is sent again with the same Message-ID (derived from the row), so a mail client shows one message.
A transient SMTP error releases the unsent rows to *pending* and raises TransientSendError for a retry.
"""

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import EmailStatus, Notification, NotificationPreference

LOG = logging.getLogger(__name__)

BATCH_SIZE = 50
# What one sweep takes at most; the next sweep takes the rest.
SWEEP_LIMIT = 1000
NO_EMAIL = "Tài khoản chưa có địa chỉ email."


class TransientSendError(Exception):
    """The mail server or the network failed for now; the claims were released, retry later."""


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.DIGEST_CLAIM_LEASE_SECONDS)


def sendable_ids(limit: int = SWEEP_LIMIT) -> list[int]:
    """Pending rows, and claimed ones whose worker died (older than the lease), oldest first."""
    stale = timezone.now() - lease()
    return list(
        Notification.objects.filter(
            Q(email_status=EmailStatus.PENDING) | Q(email_status=EmailStatus.CLAIMED, claimed_at__lt=stale)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def claim_many(ids, *, worker: str) -> list[int]:
    ids = list(ids)
    if not ids:
        return []
    now = timezone.now()
    worker = worker[:200]
    with transaction.atomic():
        Notification.objects.filter(pk__in=ids).filter(
            Q(email_status=EmailStatus.PENDING) | Q(email_status=EmailStatus.CLAIMED, claimed_at__lt=now - lease())
        ).update(email_status=EmailStatus.CLAIMED, claimed_at=now, claimed_by=worker, attempts=F("attempts") + 1)
        return list(
            Notification.objects.filter(
                pk__in=ids, email_status=EmailStatus.CLAIMED, claimed_by=worker, claimed_at=now
            ).values_list("pk", flat=True)
        )


def message_id(row: Notification) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "partyhub.local"
    return f"<notification-{row.pk}@{domain}>"


def email_for(row: Notification, connection=None) -> EmailMessage:
    link = f"{settings.SITE_URL}{row.url}" if row.url else settings.SITE_URL
    body = "\n\n".join(
        part
        for part in (
            row.body,
            _("Xem trong PartyHub: %(link)s") % {"link": link},
            _("Tắt email thông báo: %(link)s") % {"link": f"{settings.SITE_URL}/thong-bao/tuy-chon/"},
        )
        if part
    )
    return EmailMessage(
        subject=f"[PartyHub] {row.title}",
        body=body,
        to=[row.user.email],
        connection=connection,
        headers={"Message-ID": message_id(row)},
    )


def _mark(row: Notification, worker: str, status: str, **fields) -> None:
    """A sent message is the truth whoever marks it; anything else only by the claim's holder."""
    rows = Notification.objects.filter(pk=row.pk)
    if status != EmailStatus.SENT:
        rows = rows.filter(email_status=EmailStatus.CLAIMED, claimed_by=worker[:200])
    rows.update(email_status=status, **fields)


def _release(ids, worker: str, error: str) -> None:
    if ids:
        Notification.objects.filter(pk__in=ids, email_status=EmailStatus.CLAIMED, claimed_by=worker[:200]).update(
            email_status=EmailStatus.PENDING, claimed_at=None, claimed_by="", error=error[:2000]
        )


def deliver(ids, *, worker: str) -> dict[int, str]:
    """Send every row of `ids` this worker can claim, in batches over one connection."""
    outcomes: dict[int, str] = {}
    ids = list(ids)
    connection = get_connection()
    try:
        for start in range(0, len(ids), BATCH_SIZE):
            outcomes.update(_deliver_batch(ids[start : start + BATCH_SIZE], worker=worker, connection=connection))
    finally:
        try:
            connection.close()
        except Exception:  # closing a connection the server already dropped
            LOG.debug("closing the SMTP connection failed", exc_info=True)
    return outcomes


def _deliver_batch(ids, *, worker: str, connection) -> dict[int, str]:
    mine = claim_many(ids, worker=worker)
    if not mine:
        return {}
    rows = list(Notification.objects.filter(pk__in=mine).select_related("user").order_by("pk"))
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=[r.user_id for r in rows])}
    outcomes: dict[int, str] = {}
    for index, row in enumerate(rows):
        pref = prefs.get(row.user_id)
        if pref is not None and not pref.email:
            _mark(row, worker, EmailStatus.SKIPPED, error="email off")
            outcomes[row.pk] = EmailStatus.SKIPPED
            continue
        if not row.user.email or not row.user.is_active:
            _mark(row, worker, EmailStatus.SKIPPED, error=NO_EMAIL if row.user.is_active else "inactive")
            outcomes[row.pk] = EmailStatus.SKIPPED
            continue
        try:
            connection.open()  # a no-op when already open
            connection.send_messages([email_for(row, connection)])
        except Exception as error:
            if _is_transient(error):
                _release([r.pk for r in rows[index:]], worker, f"{type(error).__name__}: {error}")
                raise TransientSendError(str(error)) from error
            LOG.warning("notification %s to %s refused: %s", row.pk, row.user.email, error)
            _mark(row, worker, EmailStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000])
            outcomes[row.pk] = EmailStatus.FAILED
            continue
        _mark(row, worker, EmailStatus.SENT, sent_at=timezone.now(), error="")
        outcomes[row.pk] = EmailStatus.SENT
    return outcomes


def _is_transient(error: BaseException) -> bool:
    """4xx replies and lost connections are worth a retry; 5xx replies and refused addresses are not."""
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPException):
        return False
    return isinstance(error, OSError)
