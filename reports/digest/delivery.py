"""Sending the digest once per user and month, whatever retries, reruns and dead workers do.

Each send is a DigestDelivery row (user, month) under a unique constraint:

1. `deliveries_plan` creates the month's pending rows for the current recipients in one bulk insert
   that ignores the rows already there, and returns the ids not yet sent; the job queues them in
   chunks of ids.
2. `claim_many` moves a batch's rows to *claimed* with one conditional UPDATE in its own
   transaction: only a pending row, or a claimed one whose claim is older than the lease (its worker
   died), matches. Two workers racing for a row: the database lets one UPDATE match it.
3. The batch's digests are built together (`content.prepare`, a fixed number of queries) and go out
   over one SMTP connection, each with a Message-ID derived from its row; then the rows are marked
   *sent* (or failed, skipped) in one transaction (`deliver_batch`).

A retry, a second beat or a rerun by hand therefore skips what is sent and what a live worker
holds. The one unavoidable window: the SMTP server accepted a message and the worker died before
marking its batch; after the lease another worker takes the rows over (`taken_over`) and sends
again, with the same Message-IDs (docs/digest.md).

Transient SMTP errors mark what the batch sent, release the rest and raise TransientSendError, which
the Celery task retries with backoff; permanent ones mark the row *failed* with the error, for the
administrators.
"""

import datetime
import logging
import os
import smtplib
import socket
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from members.models import Organisation

from ..models import DigestDelivery, DigestStatus
from . import schedule
from .content import build_digest, prepare
from .message import email_message, message_id
from .recipients import recipients

LOG = logging.getLogger(__name__)

# 50 messages are a few seconds of work: a retried chunk repeats little, and a province's few
# hundred recipients still spread over several workers.
CHUNK_SIZE = 50
NO_EMAIL = "Tài khoản chưa có địa chỉ email."


class Outcome:
    SENT = "sent"
    HELD = "held"  # already sent, or claimed by a live worker: not ours to send
    SKIPPED = "skipped"  # opted out or no role any more since it was queued
    FAILED = "failed"


class TransientSendError(Exception):
    """The mail server or the network failed for now; the claim was released, retry later."""


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.DIGEST_CLAIM_LEASE_SECONDS)


def worker_name(task_id: str = "") -> str:
    name = f"{socket.gethostname()}:{os.getpid()}"
    return f"{name}:{task_id}" if task_id else name


# --- which rows -------------------------------------------------------------------------------


def deliveries_plan(edition: datetime.date, *, within: Organisation | None = None) -> list[int]:
    """Create the edition's missing rows and return the ids still to send (pending or claimed), by id."""
    edition = edition.replace(day=1)
    found = recipients(schedule.reported_month(edition), within=within)
    DigestDelivery.objects.bulk_create(
        [DigestDelivery(user=r.user, month=edition) for r in found], ignore_conflicts=True, batch_size=500
    )
    return list(
        DigestDelivery.objects.filter(
            month=edition,
            user_id__in=[r.user.pk for r in found],
            status__in=[DigestStatus.PENDING, DigestStatus.CLAIMED],
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def deliveries_retry_failed(edition: datetime.date, *, within: Organisation | None = None) -> int:
    """Put the edition's failed rows back to pending (after an address was fixed); returns how many."""
    rows = DigestDelivery.objects.filter(month=edition.replace(day=1), status=DigestStatus.FAILED)
    if within is not None:
        user_ids = [r.user.pk for r in recipients(schedule.reported_month(edition), within=within)]
        rows = rows.filter(user_id__in=user_ids)
    return rows.update(status=DigestStatus.PENDING, claimed_at=None, claimed_by="")


def chunked(ids: list[int], size: int = CHUNK_SIZE) -> list[list[int]]:
    size = max(int(size), 1)
    return [ids[i : i + size] for i in range(0, len(ids), size)]


# --- one row ----------------------------------------------------------------------------------


def claim_many(ids: Iterable[int], *, worker: str) -> list[int]:
    """Take, for this worker, those of the rows that are pending or claimed longer ago than the lease; returns
    the ids taken. One conditional UPDATE for the lot: of two workers racing for a row, the database lets
    one match it; the other's UPDATE skips it."""
    ids = list(ids)
    if not ids:
        return []
    now = timezone.now()
    worker = worker[:200]
    with transaction.atomic():
        DigestDelivery.objects.filter(pk__in=ids).filter(
            Q(status=DigestStatus.PENDING) | Q(status=DigestStatus.CLAIMED, claimed_at__lt=now - lease())
        ).update(
            # The right-hand sides read the row as it was: a claimed row here is a takeover.
            taken_over=Case(When(status=DigestStatus.CLAIMED, then=Value(True)), default=F("taken_over")),
            status=DigestStatus.CLAIMED,
            claimed_at=now,
            claimed_by=worker,
            attempts=F("attempts") + 1,
        )
        # Ours are the rows this UPDATE stamped: this worker's name at this very instant.
        return list(
            DigestDelivery.objects.filter(
                pk__in=ids, status=DigestStatus.CLAIMED, claimed_by=worker, claimed_at=now
            ).values_list("pk", flat=True)
        )


def claim(pk: int, *, worker: str) -> bool:
    """Take the row for this worker if it is pending, or claimed longer ago than the lease."""
    return claim_many([pk], worker=worker) == [pk]


def _release(ids: list[int], worker: str, error: str) -> None:
    if ids:
        DigestDelivery.objects.filter(pk__in=ids, status=DigestStatus.CLAIMED, claimed_by=worker[:200]).update(
            status=DigestStatus.PENDING, claimed_at=None, claimed_by="", error=error
        )


OUTCOME_FIELDS = ("status", "sent_at", "message_id", "email", "subject", "error")


def _finish(rows: list[DigestDelivery], worker: str) -> None:
    """Write the outcomes of a batch in one transaction: one prepared UPDATE executed for every row
    (`executemany`, a single call whatever the batch's size; Django's `bulk_update` builds a CASE per
    field and row, which cost more than the sending). A sent message is the truth whoever marks it;
    anything else (failed, skipped) only by the claim's holder."""
    if not rows:
        return
    meta = DigestDelivery._meta
    fields = [meta.get_field(name) for name in OUTCOME_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    held = f" AND {quote(meta.get_field('status').column)} = %s AND {quote(meta.get_field('claimed_by').column)} = %s"
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    values = {
        row.pk: [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] + [row.pk] for row in rows
    }
    sent = [values[r.pk] for r in rows if r.status == DigestStatus.SENT]
    other = [values[r.pk] + [DigestStatus.CLAIMED, worker[:200]] for r in rows if r.status != DigestStatus.SENT]
    with transaction.atomic(), connection.cursor() as cursor:
        if sent:
            cursor.executemany(sql, sent)
        if other:
            cursor.executemany(sql + held, other)


def is_transient(error: BaseException) -> bool:
    """4xx replies and lost connections are worth a retry; 5xx replies and refused addresses are not."""
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # Refused at RCPT: permanent, unless every refusal is a 4xx (greylisting, "mailbox busy").
        codes = [code for code, _text in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPException):
        return False
    return isinstance(error, OSError)  # ConnectionError, TimeoutError, refused, reset


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _describe(error: BaseException) -> str:
    """The server's own words where there are some ("550 5.1.1 No such user"), for the admin list."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(f"{addr}: {code} {_text(reply)}" for addr, (code, reply) in error.recipients.items())
    elif isinstance(error, smtplib.SMTPResponseException):
        detail = f"{error.smtp_code} {_text(error.smtp_error)}"
    else:
        detail = str(error)
    return f"{type(error).__name__}: {detail}"[:2000]


def _outcome(row: DigestDelivery, status: str, **fields) -> str:
    row.status = status
    for name, value in fields.items():
        setattr(row, name, value)
    return {
        DigestStatus.SENT: Outcome.SENT,
        DigestStatus.SKIPPED: Outcome.SKIPPED,
        DigestStatus.FAILED: Outcome.FAILED,
    }[status]


def deliver_batch(ids: Iterable[int], *, worker: str, connection=None, cache: dict | None = None) -> dict[int, str]:
    """Claim, build, send and mark a batch of rows over one SMTP connection; returns each id's Outcome.

    A fixed number of queries whatever the batch's size: one claim, one read of the rows and their
    recipients, the sections of all their units at once (`content.prepare`: the stored snapshots and
    one read of the lists), and two UPDATEs for the outcomes once the batch is sent. The messages go
    out over `connection` (opened here if needed, one SMTP session), one after the other.

    A transient error (a lost connection, a 4xx) marks what was sent before it, releases the rest of
    the batch to *pending* and raises TransientSendError; a permanent one fails that row only.
    """
    ids = list(ids)
    outcomes = dict.fromkeys(ids, Outcome.HELD)
    mine = claim_many(ids, worker=worker)
    if not mine:
        return outcomes
    cache = {} if cache is None else cache
    rows = list(DigestDelivery.objects.filter(pk__in=mine).select_related("user").order_by("pk"))
    months = sorted({row.month for row in rows})
    found = {}
    for month in months:
        user_ids = [row.user_id for row in rows if row.month == month]
        for recipient in recipients(schedule.reported_month(month), user_ids=user_ids, include_opted_out=True):
            found[(recipient.user.pk, month)] = recipient
    try:
        for month in months:
            prepare([r for (_u, m), r in found.items() if m == month and not r.opted_out], month, cache)
    except DatabaseError:
        raise  # the claims stay; after the lease another run takes them over
    except Exception:  # one bad unit must not hold up the batch: its digests fail one by one below
        LOG.exception("digest sections of a batch could not be built together")

    done: list[DigestDelivery] = []
    to_send = []
    for row in rows:
        recipient = found.get((row.user_id, row.month))
        if recipient is None or recipient.opted_out:
            error = "opted out" if recipient else "no digest role"
            outcomes[row.pk] = _outcome(row, DigestStatus.SKIPPED, error=error)
            done.append(row)
            continue
        if not recipient.email:
            outcomes[row.pk] = _outcome(row, DigestStatus.FAILED, error=NO_EMAIL)
            done.append(row)
            continue
        try:
            digest = build_digest(recipient, row.month, cache=cache)
            message = email_message(digest, row.pk, connection=connection)
        except DatabaseError:
            _finish(done, worker)
            raise
        except Exception as error:  # bad data in one digest must not hold up the others
            LOG.exception("digest %s for user %s could not be built", row.pk, row.user_id)
            outcomes[row.pk] = _outcome(row, DigestStatus.FAILED, error=_describe(error))
            done.append(row)
            continue
        to_send.append((row, digest, message))

    own_connection = connection is None
    connection = connection or get_connection()
    try:
        for index, (row, digest, message) in enumerate(to_send):
            try:
                connection.open()  # a no-op when already open: one SMTP session for the batch
                connection.send_messages([message])
            except Exception as error:
                if is_transient(error):
                    _finish(done, worker)
                    _release([r.pk for r, _d, _m in to_send[index:]], worker, _describe(error))
                    raise TransientSendError(_describe(error)) from error
                LOG.warning("digest %s to %s refused: %s", row.pk, digest.email, error)
                outcomes[row.pk] = _outcome(
                    row, DigestStatus.FAILED, error=_describe(error), email=digest.email, subject=message.subject
                )
                done.append(row)
                continue
            outcomes[row.pk] = _outcome(
                row,
                DigestStatus.SENT,
                sent_at=timezone.now(),
                message_id=message_id(row.pk, digest),
                email=digest.email,
                subject=message.subject[:300],
                error="",
            )
            done.append(row)
    finally:
        if own_connection:
            _close(connection)
    _finish(done, worker)
    return outcomes


def deliver(pk: int, *, worker: str, connection=None, cache: dict | None = None) -> str:
    """Claim, build, send, mark one row; returns an Outcome. Raises TransientSendError after releasing."""
    return deliver_batch([pk], worker=worker, connection=connection, cache=cache)[pk]


def _close(connection) -> None:
    try:
        connection.close()
    except Exception:  # closing a connection the server already dropped
        LOG.debug("closing the SMTP connection failed", exc_info=True)


# --- a chunk, a run ---------------------------------------------------------------------------


def deliver_chunk(ids: Iterable[int], *, worker: str, on_each=None, batch_size: int = CHUNK_SIZE) -> Counter:
    """Deliver these rows in batches over one SMTP connection; `on_each(pk, outcome)` follows the progress."""
    counts: Counter = Counter()
    cache: dict = {}
    connection = get_connection()
    try:
        for batch in chunked(list(ids), batch_size):
            for pk, outcome in deliver_batch(batch, worker=worker, connection=connection, cache=cache).items():
                counts[outcome] += 1
                if on_each is not None:
                    on_each(pk, outcome)
    finally:
        _close(connection)
    return counts


def digest_start(
    edition: datetime.date, *, within: Organisation | None = None, chunk_size: int = CHUNK_SIZE, queue=None
) -> dict:
    """Plan the edition and queue one task per chunk of ids, after the rows are committed."""
    from .tasks import deliver_digest_chunk  # the tasks module imports this one

    ids = deliveries_plan(edition, within=within)
    chunks = chunked(ids, chunk_size)
    options = {"queue": queue} if queue else {}
    for chunk in chunks:
        transaction.on_commit(lambda chunk=chunk: deliver_digest_chunk.apply_async(args=[chunk], **options))
    return {"month": f"{edition:%Y-%m}", "deliveries": len(ids), "chunks": len(chunks)}
