"""Who receives the digest: every active user holding a committee secretary, deputy, board staff or
cell secretary role, with one section per organisation they hold such a role in.

One query (two with `within`), whatever the number of users: the roles with their users, the users'
preferences and the organisations come back together.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from members.models import Organisation, RoleAssignment
from members.vocabulary import SENSITIVE_DATA_ROLES, Role

from ..models import DigestPreference

DIGEST_ROLES = (Role.COMMITTEE_SECRETARY, Role.COMMITTEE_DEPUTY, Role.BOARD_STAFF, Role.CELL_SECRETARY)
DEFAULT_LANGUAGE = "vi"


@dataclass(frozen=True)
class Recipient:
    user: object
    # Deduplicated, highest unit first: a user with two roles on one unit gets one section for it.
    organisations: tuple[Organisation, ...]
    language: str
    opted_out: bool
    # The units the user holds a sensitive-data role on (ethnicity and religion, reports/sensitive.py).
    sensitive_paths: tuple[str, ...] = ()

    def may_see_sensitive(self, organisation: Organisation) -> bool:
        """`scoping.can_see_sensitive` from the roles already read (the digest roles): no query per message."""
        if getattr(self.user, "is_superuser", False):
            return True
        return any(organisation.path.startswith(path) for path in self.sensitive_paths)

    @property
    def email(self) -> str:
        return (self.user.email or "").strip()

    @property
    def organisation_ids(self) -> tuple[int, ...]:
        return tuple(o.pk for o in self.organisations)


def _assignments(reported_start: datetime.date):
    # A unit dissolved before the reported month has nothing left to report.
    return (
        RoleAssignment.objects.filter(role__in=DIGEST_ROLES, user__is_active=True)
        .filter(Q(organisation__dissolved_on__isnull=True) | Q(organisation__dissolved_on__gte=reported_start))
        .select_related("user", "user__digest_preference", "organisation")
        .order_by("user_id", "organisation__path", "pk")
    )


def recipients(
    reported_start: datetime.date,
    *,
    within: Organisation | None = None,
    user_ids=None,
    include_opted_out: bool = False,
) -> list[Recipient]:
    """The recipients of the digest that reports on the month starting `reported_start`, by user id.

    `within` keeps the users holding a digest role inside that subtree, but each still gets their
    whole digest (one email per user and month): their sections outside it are not cut off.
    """
    rows = _assignments(reported_start)
    if within is not None:
        inside = _assignments(reported_start).filter(organisation__path__startswith=within.path)
        rows = rows.filter(user_id__in=inside.values("user_id"))
    if user_ids is not None:
        rows = rows.filter(user_id__in=list(user_ids))
    by_user: dict[int, list[RoleAssignment]] = {}
    for ra in rows:
        by_user.setdefault(ra.user_id, []).append(ra)
    result = []
    for assignments in by_user.values():
        user = assignments[0].user
        preference = _preference(user)
        if preference.opted_out and not include_opted_out:
            continue
        organisations = {ra.organisation.path: ra.organisation for ra in assignments}
        result.append(
            Recipient(
                user=user,
                organisations=tuple(organisations[p] for p in sorted(organisations)),
                language=preference.language or DEFAULT_LANGUAGE,
                opted_out=preference.opted_out,
                sensitive_paths=tuple(
                    sorted({ra.organisation.path for ra in assignments if ra.role in SENSITIVE_DATA_ROLES})
                ),
            )
        )
    return result


def _preference(user) -> DigestPreference:
    try:
        return user.digest_preference
    except DigestPreference.DoesNotExist:
        return DigestPreference(user=user, opted_out=False, language=DEFAULT_LANGUAGE)


def recipient_for(user, reported_start: datetime.date) -> Recipient | None:
    """The user's own recipient entry, opted out or not; None when they hold no digest role."""
    found = recipients(reported_start, user_ids=[user.pk], include_opted_out=True)
    return found[0] if found else None
