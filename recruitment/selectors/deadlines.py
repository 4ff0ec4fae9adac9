"""The deadlines of a subtree (docs/domain.md §5), read once and returned as plain data.

`deadlines_for` is what the deadlines page shows and what the monthly digest lists for the coming
month. Each section is one query over the subtree; the dates are worked out in Python with the
rules module, so the cost is the same for five candidates or five thousand (the rows are few:
each section keeps only what is overdue or due within its window).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Max, Q
from django.utils.translation import gettext as _

from members.models import Organisation
from members.names import sort_key
from members.scoping import subtree_q

from .. import rule_numbers as N
from .. import rules
from ..models import Candidate, VerificationRequest
from ..vocabulary import OPEN_STAGES, Stage
from ..working_days import working_days_between

# How far ahead each section looks. Ceremonies and probations: the coming month, as the digest
# reports; certificates: three months, time enough to enrol in the next class; age: six months,
# time enough to hold the cell vote before the 60th birthday.
UPCOMING_DAYS = 30
CERTIFICATE_WARNING_DAYS = 90
AGE_WARNING_MONTHS = 6

# Before the cell vote: the stages where the certificate and the age still have to pass rule 1 and
# rule 3 on the day of the vote. After it, neither matters any more.
BEFORE_VOTE = (Stage.SOURCE, Stage.TRAINING, Stage.TRAINED, Stage.DOSSIER)
AWAITING_DECISION = (Stage.CELL_RESOLUTION, Stage.COMMITTEE_REVIEW)


class Kind:
    CEREMONY = "ceremonies"
    PROBATION = "probations"
    CERTIFICATE = "certificates"
    AGE = "age"
    DECISION = "decisions"
    VERIFICATION = "verifications"


@dataclass(frozen=True)
class DeadlineRow:
    candidate_id: int
    name: str
    cell_id: int
    cell_name: str
    stage: str
    # The date that matters now (the deadline, the probation end, the certificate's last day...).
    due_on: datetime.date
    overdue: bool
    # Until `due_on` (negative once past), in working days where the rule counts them.
    days_left: int
    in_working_days: bool
    # What the date is, e.g. "Nhận quyết định ngày 10/02/2026", in Vietnamese.
    note: str = ""
    # The cell's place in the tree, to count the rows per child unit (`per_child`).
    cell_path: str = ""

    @property
    def days_late(self) -> int:
        return -self.days_left


@dataclass(frozen=True)
class Section:
    kind: str
    title: str
    explanation: str
    empty: str
    rows: list[DeadlineRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def overdue_count(self) -> int:
        return sum(1 for r in self.rows if r.overdue)


@dataclass(frozen=True)
class Deadlines:
    organisation_id: int | None  # None for several subtrees read at once (`Subtrees`)
    today: datetime.date
    sections: list[Section]

    @property
    def total(self) -> int:
        return sum(s.count for s in self.sections)

    def section(self, kind: str) -> Section:
        return next(s for s in self.sections if s.kind == kind)


def _row(candidate: Candidate, due_on: datetime.date, today: datetime.date, *, working: bool, note: str = ""):
    left = working_days_between(today, due_on) if working else (due_on - today).days
    return DeadlineRow(
        candidate_id=candidate.pk,
        name=candidate.person.full_name,
        cell_id=candidate.cell_id,
        cell_name=candidate.cell.name,
        stage=candidate.stage,
        due_on=due_on,
        overdue=today > due_on,
        days_left=left,
        in_working_days=working,
        note=note,
        cell_path=candidate.cell.path,
    )


@dataclass(frozen=True)
class Subtrees:
    """Several subtrees read at once, in place of one organisation (the monthly digest reads the deadlines
    of a whole batch of recipients' units in one pass and splits the rows by cell path afterwards)."""

    paths: tuple[str, ...]
    pk: None = None


def _subtree_q(organisation: "Organisation | Subtrees", field: str) -> Q:
    if isinstance(organisation, Subtrees):
        return subtree_q(list(organisation.paths), field)
    return Q(**{f"{field}__startswith": organisation.path})


def _in_subtree(organisation: "Organisation | Subtrees"):
    return Candidate.objects.filter(_subtree_q(organisation, "cell__path")).select_related("person", "cell")


def _by_due(rows: list[DeadlineRow]) -> list[DeadlineRow]:
    return sorted(rows, key=lambda r: (r.due_on, sort_key(r.name), r.candidate_id))


def ceremonies(organisation: "Organisation | Subtrees", today: datetime.date) -> list[DeadlineRow]:
    """Rule 9: decided, ceremony not held, 30 working days after receiving the decision overdue or near."""
    horizon = today + datetime.timedelta(days=UPCOMING_DAYS)
    rows = []
    for c in _in_subtree(organisation).filter(stage=Stage.DECIDED).select_related("decision"):
        due = rules.ceremony_deadline(c.decision.received_on)
        if due <= horizon:
            note = _("Quyết định %(number)s, chi bộ nhận ngày %(d)s") % {
                "number": c.decision.number,
                "d": rules.fmt(c.decision.received_on),
            }
            rows.append(_row(c, due, today, working=True, note=note))
    return _by_due(rows)


def probations(organisation: "Organisation | Subtrees", today: datetime.date) -> list[DeadlineRow]:
    """Rules 10 and 11: probation ending within the window, or over and not yet recognised.

    While probation runs the date shown is its end; once it has ended it is the last day for the
    recognition vote (30 working days later), overdue after that.
    """
    horizon = today + datetime.timedelta(days=UPCOMING_DAYS)
    rows = []
    for c in _in_subtree(organisation).filter(stage=Stage.PROBATIONARY).select_related("ceremony"):
        held_on = c.ceremony.held_on
        end = rules.probation_end(held_on)
        if end > horizon:
            continue
        if end > today:
            note = _("Hết thời gian dự bị ngày %(d)s") % {"d": rules.fmt(end)}
            rows.append(_row(c, end, today, working=False, note=note))
        else:
            note = _("Hết thời gian dự bị ngày %(d)s; chi bộ phải xét công nhận trong %(n)s ngày làm việc") % {
                "d": rules.fmt(end),
                "n": N.RECOGNITION_WORKING_DAYS,
            }
            rows.append(_row(c, rules.recognition_deadline(held_on), today, working=True, note=note))
    return _by_due(rows)


def certificates(organisation: "Organisation | Subtrees", today: datetime.date) -> list[DeadlineRow]:
    """Rule 3: not yet voted, and the latest passed certificate expires within the window or has."""
    horizon = today + datetime.timedelta(days=CERTIFICATE_WARNING_DAYS)
    # A certificate issued on or after this day is valid beyond the horizon; the query skips it.
    issued_before = rules.add_months(horizon, -N.CERTIFICATE_VALIDITY_MONTHS) + datetime.timedelta(days=1)
    candidates = (
        _in_subtree(organisation)
        .filter(stage__in=BEFORE_VOTE)
        .annotate(issued_on=Max("enrolments__certificate_issued_on", filter=Q(enrolments__passed=True)))
        .filter(issued_on__lte=issued_before)
    )
    rows = []
    for c in candidates:
        valid_until = rules.certificate_valid_until(c.issued_on)
        if valid_until <= horizon:
            note = _("Cấp ngày %(d)s, có giá trị %(n)s tháng") % {
                "d": rules.fmt(c.issued_on),
                "n": N.CERTIFICATE_VALIDITY_MONTHS,
            }
            rows.append(_row(c, valid_until, today, working=False, note=note))
    return _by_due(rows)


def reaching_age_limit(organisation: "Organisation | Subtrees", today: datetime.date) -> list[DeadlineRow]:
    """Rule 1: not yet voted, 60th birthday within the window or past, no exception on record."""
    limit_months = N.MAX_AGE_YEARS * 12
    horizon = rules.add_months(today, AGE_WARNING_MONTHS)
    # One day of slack for birthdays on 29/02; the exact test is below.
    born_by = rules.add_months(horizon, -limit_months) + datetime.timedelta(days=1)
    candidates = (
        _in_subtree(organisation)
        .filter(stage__in=BEFORE_VOTE, person__date_of_birth__lte=born_by)
        .filter(over_age_exception="")
    )
    rows = []
    for c in candidates:
        birthday = rules.add_months(c.person.date_of_birth, limit_months)
        if birthday <= horizon:
            note = _("Sinh ngày %(d)s") % {"d": rules.fmt(c.person.date_of_birth)}
            rows.append(_row(c, birthday, today, working=False, note=note))
    return _by_due(rows)


def pending_decisions(organisation: "Organisation | Subtrees", today: datetime.date) -> list[DeadlineRow]:
    """Rule 8: voted by the cell, no decision, past the 60 working days after the resolution."""
    # 60 working days are more than 60 calendar days: an earlier resolution cannot be late yet.
    candidates = (
        _in_subtree(organisation)
        .filter(stage__in=AWAITING_DECISION)
        .annotate(resolution_on=Max("cell_votes__held_on"))
        .filter(resolution_on__lt=today - datetime.timedelta(days=N.DECISION_WORKING_DAYS))
    )
    rows = []
    for c in candidates:
        due = rules.decision_deadline(c.resolution_on)
        if today > due:
            note = _("Chi bộ ra nghị quyết ngày %(d)s; hạn gia hạn tối đa %(e)s") % {
                "d": rules.fmt(c.resolution_on),
                "e": rules.fmt(rules.decision_deadline(c.resolution_on, extended=True)),
            }
            rows.append(_row(c, due, today, working=True, note=note))
    return _by_due(rows)


def verification_replies(organisation: "Organisation | Subtrees", today: datetime.date) -> list[DeadlineRow]:
    """Background verification requests past their reply date with no reply, for open candidates."""
    requests = (
        VerificationRequest.objects.filter(
            _subtree_q(organisation, "candidate__cell__path"),
            candidate__stage__in=OPEN_STAGES,
            replied_on__isnull=True,
            reply_due_on__lt=today,
        )
        .select_related("candidate__person", "candidate__cell")
        .order_by("reply_due_on", "pk")
    )
    rows = []
    for r in requests:
        note = _("Gửi %(to)s ngày %(d)s") % {"to": r.sent_to, "d": rules.fmt(r.sent_on)}
        rows.append(_row(r.candidate, r.reply_due_on, today, working=False, note=note))
    return rows


def deadlines_for(organisation: "Organisation | Subtrees", today: datetime.date) -> Deadlines:
    """Every deadline section of the subtree (or of several, `Subtrees`), evaluated (six queries)."""
    sections = [
        Section(
            Kind.DECISION,
            _("Quyết định kết nạp chậm"),
            _("Chi bộ đã ra nghị quyết quá %(n)s ngày làm việc mà chưa có quyết định kết nạp (quy tắc 8).")
            % {"n": N.DECISION_WORKING_DAYS},
            _("Không có hồ sơ nào chờ quyết định quá hạn."),
            pending_decisions(organisation, today),
        ),
        Section(
            Kind.CEREMONY,
            _("Lễ kết nạp"),
            _(
                "Đã có quyết định nhưng chưa tổ chức lễ kết nạp; hạn là %(n)s ngày làm việc kể từ ngày nhận quyết "
                "định (quy tắc 9). Hiện những trường hợp quá hạn hoặc đến hạn trong %(days)s ngày tới."
            )
            % {"n": N.CEREMONY_WORKING_DAYS, "days": UPCOMING_DAYS},
            _("Không có lễ kết nạp nào quá hạn hoặc sắp đến hạn."),
            ceremonies(organisation, today),
        ),
        Section(
            Kind.PROBATION,
            _("Hết thời gian dự bị"),
            _(
                "Đảng viên dự bị hết %(m)s tháng dự bị trong %(days)s ngày tới, hoặc đã hết mà chưa được xét "
                "công nhận chính thức (hạn %(n)s ngày làm việc, quy tắc 10 và 11)."
            )
            % {"m": N.PROBATION_MONTHS, "days": UPCOMING_DAYS, "n": N.RECOGNITION_WORKING_DAYS},
            _("Không có đảng viên dự bị nào sắp hết hoặc quá hạn xét công nhận."),
            probations(organisation, today),
        ),
        Section(
            Kind.CERTIFICATE,
            _("Giấy chứng nhận học lớp sắp hết hạn"),
            _(
                "Chưa được chi bộ xét kết nạp và giấy chứng nhận hết giá trị trong %(days)s ngày tới hoặc đã hết "
                "(có giá trị %(m)s tháng, quy tắc 3)."
            )
            % {"days": CERTIFICATE_WARNING_DAYS, "m": N.CERTIFICATE_VALIDITY_MONTHS},
            _("Không có giấy chứng nhận nào sắp hết hạn."),
            certificates(organisation, today),
        ),
        Section(
            Kind.AGE,
            _("Sắp quá %(n)s tuổi") % {"n": N.MAX_AGE_YEARS},
            _(
                "Chưa được chi bộ xét kết nạp và đủ %(n)s tuổi trong %(m)s tháng tới hoặc đã quá; quá %(n)s tuổi "
                "cần văn bản của cấp ủy trực thuộc Trung ương (quy tắc 1)."
            )
            % {"n": N.MAX_AGE_YEARS, "m": AGE_WARNING_MONTHS},
            _("Không có quần chúng nào sắp quá %(n)s tuổi.") % {"n": N.MAX_AGE_YEARS},
            reaching_age_limit(organisation, today),
        ),
        Section(
            Kind.VERIFICATION,
            _("Thẩm tra lý lịch chưa có trả lời"),
            _("Đã quá hạn trả lời mà nơi được hỏi chưa trả lời."),
            _("Không có yêu cầu thẩm tra nào quá hạn trả lời."),
            verification_replies(organisation, today),
        ),
    ]
    return Deadlines(organisation_id=organisation.pk, today=today, sections=sections)


# --- a large subtree: the deadlines counted per child unit ----------------------------------------


@dataclass(frozen=True)
class ChildDeadlines:
    """The deadlines under one child unit: how many, how many overdue, the earliest date, per section."""

    organisation: Organisation
    count: int
    overdue: int
    first_due: datetime.date
    by_kind: dict[str, int]


def per_child(deadlines: Deadlines, organisation: Organisation, children: list[Organisation]) -> list[ChildDeadlines]:
    """The rows of `deadlines` (of `organisation`'s subtree) grouped by the child unit they fall under, without
    a query: the children with the most overdue first, then the most deadlines, then in the order given.
    Children without a deadline are left out."""
    length = len(organisation.path) + Organisation.steplen
    rows: dict[str, list[tuple[str, DeadlineRow]]] = {}
    for section in deadlines.sections:
        for row in section.rows:
            rows.setdefault(row.cell_path[:length], []).append((section.kind, row))
    summaries = []
    for child in children:
        mine = rows.get(child.path)
        if not mine:
            continue
        by_kind: dict[str, int] = {}
        for kind, _row in mine:
            by_kind[kind] = by_kind.get(kind, 0) + 1
        summaries.append(
            ChildDeadlines(
                organisation=child,
                count=len(mine),
                overdue=sum(1 for _kind, row in mine if row.overdue),
                first_due=min(row.due_on for _kind, row in mine),
                by_kind=by_kind,
            )
        )
    return sorted(summaries, key=lambda s: (-s.overdue, -s.count))
