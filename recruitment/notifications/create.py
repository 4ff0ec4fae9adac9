"""Writing notifications, inside the transaction of the step that causes them.

Who is told about a candidate (docs/notifications.md): the secretaries of the candidate's cell, and every
user who recorded one of the candidate's steps (the stage entries' `created_by`), less the person doing
the step now (they know) and less anyone whose roles no longer cover the candidate's cell (nobody hears
of a candidate outside their subtree). The rows are created in the caller's transaction; their emails
are queued after the commit, and the beat's sweep sends whatever a lost task left pending.
"""

import logging

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from members.models import RoleAssignment
from members.vocabulary import Role

from ..models import Candidate, StageEntry
from .models import EmailStatus, Notification, NotificationKind, NotificationPreference

LOG = logging.getLogger(__name__)


def responsible_users(candidate: Candidate, *, exclude=None) -> list[int]:
    """The ids of the users to tell about this candidate (three queries)."""
    cell = candidate.cell
    secretaries = set(
        RoleAssignment.objects.filter(organisation=cell, role=Role.CELL_SECRETARY).values_list("user_id", flat=True)
    )
    recorders = set(
        StageEntry.objects.filter(candidate=candidate, created_by__isnull=False).values_list("created_by", flat=True)
    )
    wanted = (secretaries | recorders) - {getattr(exclude, "pk", None)}
    if not wanted:
        return []
    # Only those whose roles still cover the cell (or a superuser, who sees everything).
    covering = set()
    for user_id, path, is_superuser in RoleAssignment.objects.filter(user_id__in=wanted).values_list(
        "user_id", "organisation__path", "user__is_superuser"
    ):
        if is_superuser or cell.path.startswith(path):
            covering.add(user_id)
    return sorted(covering)


def preferences(user_ids) -> dict[int, NotificationPreference]:
    return {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=list(user_ids))}


def rows_for(user_ids, *, kind: str, title: str, body: str, url: str, candidate=None, key_for=None) -> list:
    """Unsaved rows, one per user, with each user's channels applied (one query)."""
    prefs = preferences(user_ids)
    rows = []
    for user_id in user_ids:
        pref = prefs.get(user_id)
        in_app = pref.in_app if pref else True
        email = pref.email if pref else True
        if not in_app and not email:
            continue
        rows.append(
            Notification(
                user_id=user_id,
                kind=kind,
                candidate=candidate,
                title=title[:300],
                body=body,
                url=url[:300],
                key=key_for(user_id) if key_for else "",
                in_app=in_app,
                email_status=EmailStatus.PENDING if email else EmailStatus.SKIPPED,
                error="" if email else "email off",
            )
        )
    return rows


def queue_emails(ids: list[int]) -> None:
    """After the commit, hand the rows to a worker; a broker outage leaves them to the beat's sweep."""
    if not ids:
        return

    def send():
        from .tasks import send_notification_emails  # the tasks module imports delivery, which imports this

        try:
            send_notification_emails.delay(ids)
        except Exception:  # Redis down: the rows stay pending, the sweep every few minutes sends them
            LOG.warning("notification emails %s not queued; the sweep will send them", ids, exc_info=True)

    transaction.on_commit(send)


def _about(candidate: Candidate, *, kind: str, title: str, body: str, by) -> list[Notification]:
    users = responsible_users(candidate, exclude=by)
    rows = rows_for(
        users,
        kind=kind,
        title=title,
        body=body,
        url=reverse("recruitment:candidate", args=[candidate.pk]),
        candidate=candidate,
    )
    created = Notification.objects.bulk_create(rows)
    queue_emails([r.pk for r in created if r.email_status == EmailStatus.PENDING and r.pk])
    return created


def notify_returned(candidate: Candidate, *, reason: str, on, by) -> list[Notification]:
    return _about(
        candidate,
        kind=NotificationKind.RETURNED,
        title=_("Hồ sơ của %(name)s bị trả lại") % {"name": candidate.person.full_name},
        body=_("Ngày %(d)s cấp ủy trả lại hồ sơ của %(name)s (%(cell)s). Lý do: %(reason)s")
        % {
            "d": on.strftime("%d/%m/%Y"),
            "name": candidate.person.full_name,
            "cell": candidate.cell.name,
            "reason": reason,
        },
        by=by,
    )


def notify_decision(candidate: Candidate, *, number: str, decided_on, by) -> list[Notification]:
    return _about(
        candidate,
        kind=NotificationKind.DECISION,
        title=_("Đã có quyết định kết nạp %(name)s") % {"name": candidate.person.full_name},
        body=_("Quyết định số %(number)s ngày %(d)s kết nạp %(name)s (%(cell)s). Chi bộ tổ chức lễ kết nạp.")
        % {
            "number": number,
            "d": decided_on.strftime("%d/%m/%Y"),
            "name": candidate.person.full_name,
            "cell": candidate.cell.name,
        },
        by=by,
    )


def notify_verification_reply(request, *, by) -> list[Notification]:
    candidate = Candidate.objects.select_related("person", "cell").get(pk=request.candidate_id)
    return _about(
        candidate,
        kind=NotificationKind.VERIFICATION,
        title=_("Có trả lời thẩm tra lý lịch của %(name)s") % {"name": candidate.person.full_name},
        body=_("%(to)s trả lời ngày %(d)s: %(reply)s")
        % {"to": request.sent_to, "d": request.replied_on.strftime("%d/%m/%Y"), "reply": request.reply or "—"},
        by=by,
    )
