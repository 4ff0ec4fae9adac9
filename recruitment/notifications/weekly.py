"""The weekly reminder: each user with a role is told the deadlines of their subtrees in the coming two weeks.

The deadlines of every recipient's subtrees are read in one pass (`deadlines_for` over `Subtrees`, six
queries) and split per user by cell path, as the monthly digest does. One row per user and ISO week
(`key` "weekly:<year>-W<week>", unique per user), so a rerun of the same week writes nothing more.
Nobody without a deadline in the window gets one.
"""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from members.models import RoleAssignment

from ..rules import fmt
from ..selectors.deadlines import Subtrees, deadlines_for
from .create import rows_for
from .models import EmailStatus, Notification, NotificationKind

WINDOW_DAYS = 14
# Rows listed in one reminder; the to-do page has them all.
LISTED = 30


def week_key(today: datetime.date) -> str:
    year, week, _day = today.isocalendar()
    return f"weekly:{year}-W{week:02d}"


def _roots(paths: list[str]) -> list[str]:
    roots: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(r) for r in roots):
            roots.append(path)
    return roots


@transaction.atomic
def create_weekly(today: datetime.date) -> list[int]:
    """Write this week's reminders (those not yet written) and return the ids whose email is pending."""
    paths_by_user: dict[int, list[str]] = {}
    for user_id, path in RoleAssignment.objects.filter(user__is_active=True).values_list(
        "user_id", "organisation__path"
    ):
        paths_by_user.setdefault(user_id, []).append(path)
    if not paths_by_user:
        return []
    horizon = today + datetime.timedelta(days=WINDOW_DAYS)
    every_root = _roots([p for paths in paths_by_user.values() for p in paths])
    deadlines = deadlines_for(Subtrees(paths=tuple(every_root)), today)
    rows = sorted(
        ((section.title, row) for section in deadlines.sections for row in section.rows if row.due_on <= horizon),
        key=lambda pair: (pair[1].due_on, pair[1].name),
    )
    key = week_key(today)
    notifications = []
    for user_id, paths in sorted(paths_by_user.items()):
        roots = _roots(paths)
        mine = [(title, row) for title, row in rows if any(row.cell_path.startswith(r) for r in roots)]
        if not mine:
            continue
        lines = [
            f"- {fmt(row.due_on)}{' (' + _('quá hạn') + ')' if row.overdue else ''}: {row.name} ({row.cell_name}) — "
            f"{title}. {row.note}"
            for title, row in mine[:LISTED]
        ]
        if len(mine) > LISTED:
            lines.append(_("… và %(n)s việc khác.") % {"n": len(mine) - LISTED})
        overdue = sum(1 for _t, row in mine if row.overdue)
        title = _("%(n)s hạn xử lý trong hai tuần tới (%(o)s quá hạn)") % {"n": len(mine), "o": overdue}
        notifications += rows_for(
            [user_id],
            kind=NotificationKind.WEEKLY,
            title=title,
            body="\n".join(lines),
            url=reverse("recruitment:todo"),
            key_for=lambda _u: key,
        )
    Notification.objects.bulk_create(notifications, ignore_conflicts=True, batch_size=500)
    pending = Notification.objects.filter(key=key, email_status=EmailStatus.PENDING)
    return list(pending.order_by("pk").values_list("pk", flat=True))
