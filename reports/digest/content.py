"""What one digest says, read as plain data before any template runs.

A digest has one section per organisation its recipient holds a role in; a section covers that
organisation's subtree only (every query below filters on its path prefix), so a cell secretary's
digest never names a person from another cell. The sections of a whole batch of units (a chunk of
recipients, `prepare`) cost a fixed set of queries, whatever the number of units and the size of
their subtrees: every list is read once over the units' subtrees and split by path in memory.

    progress of the year and of the term       1 for every unit's stored snapshots (computed and
                                               stored only when missing: the figures are never
                                               worked out per message)
    admissions of the reported month           1
    deadlines (recruitment.selectors)           6, and 1 for the cells' paths
    data to fix: warnings, cells without a secretary, the year's quota, role holders without email
                                                4

Every item carries an absolute link (settings.SITE_URL) to the page behind it. Strings are made in
the active language: build a digest inside `translation.override(recipient.language)`, as
`build_digest` does.
"""

import datetime
import functools
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from members.models import MemberMovement, Organisation, RoleAssignment
from members.names import name_of, order_by_name, sort_key, user_name
from members.scoping import subtree_q
from members.vocabulary import CELL_LEVELS, COMMITTEE_LEVELS, MovementKind, Role
from partyhub import numbers
from recruitment.models import Candidate
from recruitment.rules import Severity
from recruitment.selectors.deadlines import Subtrees, deadlines_for
from recruitment.vocabulary import OPEN_STAGES

from .. import sensitive
from ..models import Quota
from ..progress import periods, snapshots
from ..vocabulary import QuotaMetric, QuotaSource, RangeState
from . import schedule
from .recipients import DIGEST_ROLES, Recipient

# Longer lists end with "and N more" and a link to the page that has them all: the digest is read
# on a phone, and a province's month can hold a hundred admissions.
LIST_LIMIT = 20


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


_MARKER = 987654321


@functools.lru_cache(maxsize=64)
def _link_pattern(name: str, site: str, prefix: str) -> tuple[str, str]:
    head, _marker, tail = reverse(name, args=[_MARKER]).partition(str(_MARKER))
    return f"{site}{head}", tail


def link(name: str, pk: int) -> str:
    """`absolute(reverse(name, args=[pk]))`, resolved once per URL name: a province's lists hold thousands."""
    head, tail = _link_pattern(name, settings.SITE_URL, get_script_prefix())
    return f"{head}{int(pk)}{tail}"


@dataclass(frozen=True)
class Item:
    """One line of a list: what it is, the date that matters, and where to read more."""

    text: str
    url: str
    detail: str = ""
    day: datetime.date | None = None


@dataclass(frozen=True)
class QuotaLine:
    label: str
    period_label: str
    achieved: int | None
    target: int | None
    upper: int | None
    percent: str | None
    state: str
    state_label: str
    url: str
    # Share quotas (a percentage of the period's admissions) instead of a count.
    is_share: bool = False
    share: str | None = None
    target_percent: str | None = None
    # The report's forecast sentence about a count quota below its target (forecast.reachable), if any.
    outlook: str = ""

    @property
    def suppressed(self) -> bool:
        """A small count on ethnicity or religion, shown as "<5" (reports/sensitive.py)."""
        return self.achieved == sensitive.SUPPRESSED

    @property
    def below(self) -> bool:
        return self.state == RangeState.BELOW


@dataclass(frozen=True)
class Block:
    items: list
    total: int
    more_url: str = ""

    @property
    def more(self) -> int:
        return self.total - len(self.items)

    def __bool__(self) -> bool:
        return self.total > 0


def _block(items: list, more_url: str = "") -> Block:
    return Block(items=items[:LIST_LIMIT], total=len(items), more_url=more_url)


@dataclass(frozen=True)
class Section:
    organisation_id: int
    name: str
    code: str
    level_label: str
    url: str
    admissions: Block
    quotas: list[QuotaLine]
    lagging: Block
    deadlines: Block
    to_fix: Block
    # The quotas as a reader without access to ethnicity and religion sees them (reports/sensitive.py).
    quotas_restricted: list[QuotaLine] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Nothing to say this month: the email then carries one short sentence, not empty tables."""
        return not (self.admissions or self.quotas or self.lagging or self.deadlines or self.to_fix)


@dataclass(frozen=True)
class Digest:
    user_id: int
    recipient_name: str
    email: str
    language: str
    edition: datetime.date  # first day of the month it is sent in
    reported: periods.Period  # the month before, whose admissions it lists
    as_of: datetime.date  # the first working day of the edition month
    coming_end: datetime.date  # deadlines up to this day are "the coming month"
    sections: tuple[Section, ...] = field(default_factory=tuple)

    @property
    def organisation_names(self) -> str:
        return ", ".join(s.name for s in self.sections)

    @property
    def is_empty(self) -> bool:
        return all(s.is_empty for s in self.sections)


# --- the parts of a section ---------------------------------------------------------------------


def _admission_rows(subtrees: Subtrees, reported: periods.Period) -> list[tuple[str, Item]]:
    """Last month's admissions of every subtree at once: one query over the `admitted` movements (dated
    on the decision), each row with its cell's path so `_under` gives every section its own."""
    rows = order_by_name(
        MemberMovement.objects.filter(
            subtree_q(list(subtrees.paths), "organisation__path"),
            kind=MovementKind.ADMITTED,
            date__gte=reported.start,
            date__lte=reported.end,
        ),
        "member__person__full_name",
        before=("date",),
    ).values_list("organisation__path", "member_id", "member__person__full_name", "organisation__name", "date")
    return [
        (path, Item(text=name, detail=cell, day=day, url=link("members:member", member_id)))
        for path, member_id, name, cell, day in rows
    ]


def _under(organisation: Organisation, split: dict[str, list[Item]]) -> list[Item]:
    """The unit's own rows (a copy: sections never share a list)."""
    return list(split.get(organisation.path, ()))


def _split(rows: list[tuple[str, Item]], paths: set[str]) -> dict[str, list[Item]]:
    """The rows under each of these units' paths, in their order: each row's ancestors are the prefixes
    of its path (treebeard's fixed steps), so this costs rows × depth, not rows × units."""
    step = Organisation.steplen
    found: dict[str, list[Item]] = {}
    for path, item in rows:
        for end in range(step, len(path) + 1, step):
            prefix = path[:end]
            if prefix in paths:
                found.setdefault(prefix, []).append(item)
    return found


def _covering(organisations) -> Subtrees:
    """The fewest subtrees holding all of these units (a unit under another one adds nothing)."""
    paths: list[str] = []
    for path in sorted({o.path for o in organisations}):
        if not any(path.startswith(p) for p in paths):
            paths.append(path)
    return Subtrees(paths=tuple(paths))


def _choice_label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _quota_lines(report: snapshots.Summary, period: periods.Period, url: str, may_see: bool) -> list[QuotaLine]:
    lines = []
    outlooks = {r.quota: r.text for r in report.reachable}
    for q in (sensitive.quota_for_viewer(q, may_see) for q in report.quotas):
        if q.is_share:
            # The stored label names the attribute; it is the Vietnamese one whatever the language.
            lines.append(
                QuotaLine(
                    label=q.label,
                    period_label=_period_label(period),
                    achieved=q.achieved,
                    target=None,
                    upper=None,
                    percent=None,
                    state=q.state,
                    state_label=_choice_label(RangeState, q.state),
                    url=url,
                    is_share=True,
                    share=q.share,
                    target_percent=q.target_percent,
                )
            )
            continue
        label = f"{_choice_label(QuotaSource, q.source)} · {_choice_label(QuotaMetric, q.metric)}"
        lines.append(
            QuotaLine(
                label=label,
                period_label=_period_label(period),
                achieved=q.achieved,
                target=q.target,
                upper=q.upper,
                percent=q.percent,
                state=q.state,
                state_label=_choice_label(RangeState, q.state),
                url=url,
                outlook=outlooks.get(q.id, ""),
            )
        )
    return lines


def _period_label(period: periods.Period) -> str:
    if period.kind == "term":
        return _("Nhiệm kỳ %(first)s–%(last)s") % {"first": period.start.year, "last": period.end.year}
    if period.kind == "year":
        return _("Năm %(year)s") % {"year": period.start.year}
    return period.label


def _lagging(report: snapshots.Summary | None, period: periods.Period) -> Block:
    items = []
    for child in report.children if report is not None else ():
        if not child.lagging:
            continue
        if child.target is not None:
            detail = _("%(achieved)s/%(target)s người") % {
                "achieved": numbers.number(child.achieved),
                "target": numbers.number(child.target),
            }
        else:
            detail = _("chưa kết nạp ai")
        url = link("reports:dashboard", child.id) + f"?ky={period.key}"
        items.append(Item(text=child.name, detail=detail, url=url))
    return _block(items)


def _candidate_url(candidate_id: int) -> str:
    return link("recruitment:candidate", candidate_id)


@dataclass(frozen=True)
class _Facts:
    """What the sections of a batch of units are made of, read once for all of them (a fixed number of
    queries whatever the number of units): each section keeps the rows under its own path."""

    # Each list by the path of the batch's unit it belongs under (`_split`).
    admissions: dict[str, list[Item]]
    coming: dict[str, list[Item]]  # deadlines from the send day to the end of the month
    overdue: dict[str, list[Item]]
    warned: dict[str, list[Item]]
    no_secretary: dict[str, list[Item]]
    with_year_quota: set[int]
    without_email: dict[str, list[Item]]


def _deadline_rows(
    subtrees: Subtrees, as_of: datetime.date, coming_end: datetime.date
) -> tuple[list[tuple[str, Item]], list[tuple[str, Item]]]:
    """(what falls due from `as_of` to `coming_end`, what is already overdue), each with the cell's path."""
    found = deadlines_for(subtrees, as_of)
    cell_ids = {row.cell_id for section in found.sections for row in section.rows}
    cell_paths = dict(Organisation.objects.filter(pk__in=cell_ids).values_list("pk", "path")) if cell_ids else {}
    coming, overdue = [], []
    for section in found.sections:
        for row in section.rows:
            detail = f"{row.cell_name} · {section.title}"
            if row.note:
                detail = f"{detail} · {row.note}"
            item = Item(text=row.name, detail=detail, day=row.due_on, url=_candidate_url(row.candidate_id))
            if row.overdue:
                overdue.append((cell_paths[row.cell_id], item))
            elif row.due_on <= coming_end:
                coming.append((cell_paths[row.cell_id], item))
    coming.sort(key=lambda r: (r[1].day, sort_key(r[1].text)))
    overdue.sort(key=lambda r: (r[1].day, sort_key(r[1].text)))
    return coming, overdue


def _facts(organisations: list[Organisation], as_of: datetime.date, reported: periods.Period) -> _Facts:
    subtrees = _covering(organisations)
    paths = list(subtrees.paths)
    coming_end = periods.month(as_of.year, as_of.month).end
    coming, overdue = _deadline_rows(subtrees, as_of, coming_end)

    # Candidates whose last step left a warning the cell has to clear (kept on the candidate).
    warned = []
    rows = order_by_name(
        Candidate.objects.filter(subtree_q(paths, "cell__path"), stage__in=OPEN_STAGES).exclude(open_findings=[])
    ).values_list("cell__path", "pk", "person__full_name", "cell__name", "open_findings")
    for path, pk, name, cell, findings in rows:
        messages = [f.get("message", "") for f in findings or [] if f.get("severity") == Severity.WARNS]
        if messages:
            warned.append((path, Item(text=name, detail=f"{cell} · {'; '.join(messages)}", url=_candidate_url(pk))))

    secretaries = RoleAssignment.objects.filter(organisation=OuterRef("pk"), role=Role.CELL_SECRETARY)
    no_secretary = [
        (
            path,
            Item(
                text=name,
                detail=_("Chưa có tài khoản bí thư chi bộ"),
                url=link("members:organisation", pk),
            ),
        )
        for path, pk, name in Organisation.objects.filter(subtree_q(paths), level__in=CELL_LEVELS)
        .filter(dissolved_on__isnull=True)
        .exclude(Exists(secretaries))
        .order_by("path")
        .values_list("path", "pk", "name")
    ]

    committees = [o.pk for o in organisations if o.level in COMMITTEE_LEVELS]
    with_year_quota: set[int] = set()
    without_email: list[tuple[str, Item]] = []
    if committees:
        with_year_quota = set(
            Quota.objects.filter(
                organisation_id__in=committees, period_kind="year", period_start__year=as_of.year
            ).values_list("organisation_id", flat=True)
        )
        # Role holders the digest cannot reach: the administrators add the address.
        rows = (
            RoleAssignment.objects.filter(
                subtree_q(paths, "organisation__path"),
                role__in=DIGEST_ROLES,
                user__is_active=True,
                user__email="",
            )
            .order_by("organisation__path", "user__username")
            .values_list(
                "organisation__path",
                "user_id",
                "user__username",
                "user__last_name",
                "user__first_name",
                "organisation__name",
            )
        )
        for path, user_id, username, last, first, org_name in rows:
            name = name_of(last, first, username)
            without_email.append(
                (
                    path,
                    Item(
                        text=name,
                        detail=_("%(unit)s · tài khoản chưa có địa chỉ email, không nhận được bản tin")
                        % {"unit": org_name},
                        url=link("admin:auth_user_change", user_id),
                    ),
                )
            )
    units = {o.path for o in organisations}
    return _Facts(
        admissions=_split(_admission_rows(subtrees, reported), units),
        coming=_split(coming, units),
        overdue=_split(overdue, units),
        warned=_split(warned, units),
        no_secretary=_split(no_secretary, units),
        with_year_quota=with_year_quota,
        without_email=_split(without_email, units),
    )


def _to_fix(organisation: Organisation, as_of: datetime.date, facts: _Facts) -> Block:
    items = [
        Item(text=i.text, detail=_("Quá hạn: %(what)s") % {"what": i.detail}, day=i.day, url=i.url)
        for i in _under(organisation, facts.overdue)
    ]
    items += _under(organisation, facts.warned)
    items += _under(organisation, facts.no_secretary)
    if organisation.level in COMMITTEE_LEVELS:
        if organisation.pk not in facts.with_year_quota:
            items.append(
                Item(
                    text=organisation.name,
                    detail=_("Chưa giao chỉ tiêu năm %(year)s") % {"year": as_of.year},
                    url=link("reports:quotas", organisation.pk),
                )
            )
        items += _under(organisation, facts.without_email)
    return _block(items)


# --- a section, a digest ------------------------------------------------------------------------


def _dates(edition: datetime.date) -> tuple[datetime.date, periods.Period, datetime.date]:
    """(the send day, the reported month, the last day of "the coming month") of an edition."""
    as_of = schedule.first_working_day(edition.year, edition.month)
    reported_start = schedule.reported_month(edition)
    return (
        as_of,
        periods.month(reported_start.year, reported_start.month),
        periods.month(edition.year, edition.month).end,
    )


def build_sections(organisations, edition: datetime.date) -> dict[int, Section]:
    """The sections of these organisations in the digest of `edition` (first day of the month it is sent
    in), by organisation id, in a fixed number of queries whatever the number of organisations: the
    progress comes from the stored snapshots of all of them at once (computed and stored only when
    missing), the lists from one read of their subtrees (`_facts`)."""
    organisations = list({o.pk: o for o in organisations}.values())
    if not organisations:
        return {}
    as_of = schedule.first_working_day(edition.year, edition.month)
    reported_start = schedule.reported_month(edition)
    reported = periods.month(reported_start.year, reported_start.month)
    # Progress as the dashboard shows it, from the snapshots the nightly job keeps: the term and the year
    # the reported month belongs to.
    year_period = periods.year(reported.start.year)
    shown = (periods.term_containing(reported.end), year_period)
    stored = snapshots.summaries_for_many(organisations, list(shown), as_of)
    facts = _facts(organisations, as_of, reported)
    sections = {}
    for organisation in organisations:
        dashboard = link("reports:dashboard", organisation.pk)
        quotas: list[QuotaLine] = []
        restricted: list[QuotaLine] = []
        for period in shown:
            summary = stored[(organisation.pk, period.key)]
            quotas += _quota_lines(summary, period, f"{dashboard}?ky={period.key}", True)
            restricted += _quota_lines(summary, period, f"{dashboard}?ky={period.key}", False)
        year_report = stored[(organisation.pk, year_period.key)]
        more = link("recruitment:deadlines", organisation.pk)
        sections[organisation.pk] = Section(
            organisation_id=organisation.pk,
            name=organisation.name,
            code=organisation.code,
            level_label=organisation.get_level_display(),
            url=dashboard,
            admissions=_block(
                _under(organisation, facts.admissions),
                more_url=link("members:organisation", organisation.pk),
            ),
            quotas=quotas,
            lagging=_lagging(year_report, year_period),
            deadlines=_block(_under(organisation, facts.coming), more_url=more),
            to_fix=_to_fix(organisation, as_of, facts),
            quotas_restricted=restricted,
        )
    return sections


def build_section(organisation: Organisation, edition: datetime.date) -> Section:
    """One organisation's part of the digest of `edition` (first day of the month it is sent in)."""
    return build_sections([organisation], edition)[organisation.pk]


def prepare(recipients, edition: datetime.date, cache: dict) -> None:
    """Build the sections of every recipient's units at once into `cache`, as `build_digest` reads it: a
    batch of digests then costs a fixed number of queries, whatever the number of recipients."""
    edition = edition.replace(day=1)
    by_language: dict[str, list[Organisation]] = {}
    for recipient in recipients:
        for organisation in recipient.organisations:
            if (organisation.pk, edition, recipient.language) not in cache:
                by_language.setdefault(recipient.language, []).append(organisation)
    for language, organisations in by_language.items():
        with translation.override(language):
            for pk, section in build_sections(organisations, edition).items():
                cache[(pk, edition, language)] = section


def build_digest(recipient: Recipient, edition: datetime.date, *, cache: dict | None = None) -> Digest:
    """The recipient's digest, in their language. `cache` shares sections between recipients of one
    run (a commune's secretary, deputy and board staff read the same section)."""
    edition = edition.replace(day=1)
    reported_start = schedule.reported_month(edition)
    language = recipient.language
    sections = []
    with translation.override(language):
        for organisation in recipient.organisations:
            key = (organisation.pk, edition, language)
            section = cache.get(key) if cache is not None else None
            if section is None:
                section = build_section(organisation, edition)
                if cache is not None:
                    cache[key] = section
            if not recipient.may_see_sensitive(organisation):
                section = replace(section, quotas=section.quotas_restricted)
            sections.append(section)
    user = recipient.user
    return Digest(
        user_id=user.pk,
        recipient_name=user_name(user),
        email=recipient.email,
        language=language,
        edition=edition,
        reported=periods.month(reported_start.year, reported_start.month),
        as_of=schedule.first_working_day(edition.year, edition.month),
        coming_end=periods.month(edition.year, edition.month).end,
        sections=tuple(sections),
    )
