"""The start page "Việc cần làm": what the user should do next about the candidates of their subtrees.

Each section is one bounded read (its first SECTION_LIMIT rows and a count), whatever the number of
candidates: the candidates waiting on their next step (the stuck ones first, measured against the stage's
usual time, `stage_times.usual_days`), the dossiers sent back, the cell votes due, the deadlines of
`deadlines.deadlines_for` (decisions, ceremonies, recognitions, verification replies, certificates, age),
and the data to fix. Within a section the nearest date comes first, the overdue ones before them.
A row links to the form of its next step where the user may record it, else to the candidate's page.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members import scoping
from members.models import Organisation
from members.structure import grassroots_committee_of

from .. import permissions
from .. import scoping as pipeline_scoping
from ..models import Candidate
from ..vocabulary import NEXT_STEP, Stage
from . import stage_times
from .deadlines import Kind, Subtrees, deadlines_for

# Rows each section shows on the start page; the rest page by page (`?muc=<kind>&trang=N`).
SECTION_LIMIT = 10
ROWS_PER_PAGE = 50

# Stages whose next step someone has to take and that have no dated deadline of their own here.
WAITING_STAGES = (Stage.SOURCE, Stage.TRAINING, Stage.TRAINED, Stage.CELL_RESOLUTION, Stage.COMMITTEE_REVIEW)
OPEN_BEFORE_ADMISSION = (*WAITING_STAGES, Stage.DOSSIER, Stage.DECIDED)


class TodoKind:
    RETURNED = "tra-lai"
    VOTES = "hop-xet"
    WAITING = "cho-buoc-tiep"
    FIX = "du-lieu"
    # The deadline sections keep deadlines.Kind's names.
    DECISIONS = Kind.DECISION
    CEREMONIES = Kind.CEREMONY
    RECOGNITIONS = Kind.PROBATION
    VERIFICATIONS = Kind.VERIFICATION
    CERTIFICATES = Kind.CERTIFICATE
    AGE = Kind.AGE


# The step each deadline section leads to (None: the candidate's own next step).
_DEADLINE_STEPS = {
    Kind.DECISION: "decision",
    Kind.CEREMONY: "ceremony",
    Kind.PROBATION: "recognition",
    Kind.VERIFICATION: None,
    Kind.CERTIFICATE: None,
    Kind.AGE: None,
}
_DEADLINE_TITLES = {
    Kind.DECISION: gettext_lazy("Quyết định kết nạp chậm"),
    Kind.CEREMONY: gettext_lazy("Lễ kết nạp đến hạn"),
    Kind.PROBATION: gettext_lazy("Xét công nhận đảng viên chính thức"),
    Kind.VERIFICATION: gettext_lazy("Thẩm tra lý lịch quá hạn trả lời"),
    Kind.CERTIFICATE: gettext_lazy("Giấy chứng nhận học lớp sắp hết hạn"),
    Kind.AGE: gettext_lazy("Sắp quá tuổi kết nạp"),
}


@dataclass(frozen=True)
class TodoItem:
    candidate_id: int
    name: str
    cell_name: str
    stage: str
    # The date the item is due (the usual end of the stage for a waiting candidate); None: no date.
    due_on: datetime.date | None
    overdue: bool
    note: str
    action: str
    # The step form where the user may record it, else the candidate's page.
    url: str
    waited_days: int | None = None
    usual_days: int | None = None
    stuck: bool = False

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label if self.stage in Stage.values else self.stage


@dataclass(frozen=True)
class TodoSection:
    kind: str
    title: str
    empty: str
    items: list[TodoItem]
    count: int
    highlighted: int = 0  # stuck or overdue among all `count`

    @property
    def more(self) -> int:
        return self.count - len(self.items)


@dataclass(frozen=True)
class TodoList:
    today: datetime.date
    sections: list[TodoSection] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(s.count for s in self.sections)

    def section(self, kind: str) -> TodoSection:
        return next(s for s in self.sections if s.kind == kind)


def user_paths(user) -> list[str]:
    """The user's subtrees as path prefixes ("" for a superuser: everything)."""
    return [""] if user.is_superuser else scoping.root_paths(user)


# --- links ----------------------------------------------------------------------------------------


class _Links:
    """The step form of each row, the cells' ancestors read once for the whole page (one query)."""

    def __init__(self, user, candidates: list[Candidate]):
        self.user = user
        paths = {c.cell.path for c in candidates if c.stage == Stage.CELL_RESOLUTION}
        steplen = Organisation.steplen
        prefixes = {p[:i] for p in paths for i in range(steplen, len(p), steplen)}
        self.ancestors: dict[str, Organisation] = (
            {o.path: o for o in Organisation.objects.filter(path__in=prefixes)} if prefixes else {}
        )

    def next_step(self, candidate: Candidate) -> str | None:
        if candidate.stage == Stage.CELL_RESOLUTION:
            steplen = Organisation.steplen
            path = candidate.cell.path
            ancestors = [
                self.ancestors[path[:i]] for i in range(steplen, len(path), steplen) if path[:i] in self.ancestors
            ]
            return "committee-approval" if grassroots_committee_of(candidate.cell, ancestors) else "decision"
        if candidate.stage == Stage.COMMITTEE_REVIEW:
            return "decision"
        return permissions.NEXT_STEP_FOR_STAGE.get(candidate.stage)

    def url(self, candidate: Candidate, step: str | None) -> str:
        if step and permissions.can_record(self.user, step, candidate.cell):
            return reverse("recruitment:candidate_step", args=[candidate.pk, step])
        return candidate.get_absolute_url()


# --- the sections read from the candidates -------------------------------------------------------


def _stuck_case(today: datetime.date, usual: dict[str, int]) -> Case:
    whens = []
    for stage in OPEN_BEFORE_ADMISSION:
        after = stage_times.stuck_after(stage, usual)
        if after is not None:
            whens.append(When(stage=stage, stage_entered_on__lt=today - datetime.timedelta(days=after), then=Value(1)))
    return Case(*whens, default=Value(0), output_field=IntegerField())


def _waiting_item(c: Candidate, today, usual, links: _Links, *, note: str = "", step: str | None = None) -> TodoItem:
    usual_for = usual.get(c.stage)
    waited = (today - c.stage_entered_on).days
    due = c.stage_entered_on + datetime.timedelta(days=usual_for) if usual_for else None
    step = step or links.next_step(c)
    return TodoItem(
        candidate_id=c.pk,
        name=c.person.full_name,
        cell_name=c.cell.name,
        stage=c.stage,
        due_on=due,
        overdue=due is not None and today > due,
        note=note,
        action=str(NEXT_STEP.get(c.stage, "")),
        url=links.url(c, step),
        waited_days=waited,
        usual_days=usual_for,
        stuck=bool(getattr(c, "stuck", 0)),
    )


def _by_due(items: list[TodoItem]) -> list[TodoItem]:
    far = datetime.date.max
    return sorted(items, key=lambda i: (not i.stuck, i.due_on or far, i.name, i.candidate_id))


def returned_candidates(base, today, usual):
    return base.filter(stage__in=OPEN_BEFORE_ADMISSION).exclude(returned_reason="").order_by("stage_entered_on", "pk")


def votes_due(base, today, usual):
    return base.filter(stage=Stage.DOSSIER, returned_reason="").order_by("-stuck", "stage_entered_on", "pk")


def waiting(base, today, usual):
    return base.filter(stage__in=WAITING_STAGES, returned_reason="").order_by("-stuck", "stage_entered_on", "pk")


def data_to_fix(base, today, usual):
    """Open candidates with warnings left by their last step, or without the education rule 2 needs."""
    return (
        base.filter(stage__in=OPEN_BEFORE_ADMISSION)
        .filter(~Q(open_findings=[]) | Q(person__general_education=""))
        .order_by("stage_entered_on", "pk")
    )


def _fix_note(c: Candidate) -> str:
    notes = [f.get("message", "") for f in c.open_findings or []]
    if not c.person.general_education:
        notes.insert(0, _("Thiếu trình độ giáo dục phổ thông (quy tắc 2)."))
    return " · ".join(n for n in notes if n)


CANDIDATE_SECTIONS = {
    TodoKind.RETURNED: (
        returned_candidates,
        gettext_lazy("Hồ sơ bị trả lại"),
        gettext_lazy("Không có hồ sơ nào bị trả lại."),
    ),
    TodoKind.VOTES: (
        votes_due,
        gettext_lazy("Chi bộ họp xét kết nạp"),
        gettext_lazy("Không có hồ sơ nào chờ chi bộ họp xét."),
    ),
    TodoKind.WAITING: (
        waiting,
        gettext_lazy("Chờ bước tiếp theo"),
        gettext_lazy("Không có quần chúng nào chờ bước tiếp theo."),
    ),
    TodoKind.FIX: (
        data_to_fix,
        gettext_lazy("Dữ liệu cần sửa"),
        gettext_lazy("Không có dữ liệu nào cần sửa."),
    ),
}


def candidate_rows(user, kind: str, today: datetime.date, usual: dict[str, int]):
    """The queryset of one candidate section, in the user's subtrees, annotated with `stuck`."""
    select, _title, _empty = CANDIDATE_SECTIONS[kind]
    base = (
        pipeline_scoping.candidates_for(user).select_related("person", "cell").annotate(stuck=_stuck_case(today, usual))
    )
    return select(base, today, usual)


def candidate_items(user, kind: str, candidates: list[Candidate], today, usual) -> list[TodoItem]:
    links = _Links(user, candidates)
    items = []
    for c in candidates:
        if kind == TodoKind.RETURNED:
            items.append(_waiting_item(c, today, usual, links, note=c.returned_reason))
        elif kind == TodoKind.FIX:
            items.append(_waiting_item(c, today, usual, links, note=_fix_note(c)))
        else:
            items.append(_waiting_item(c, today, usual, links))
    return items if kind == TodoKind.FIX else _by_due(items)


# --- the sections read from the deadlines -----------------------------------------------------------


def deadline_items(user, kind: str, rows, candidates: dict[int, Candidate]) -> list[TodoItem]:
    links = _Links(user, [])
    step = _DEADLINE_STEPS[kind]
    items = []
    for row in rows:
        c = candidates.get(row.candidate_id)
        url = links.url(c, step) if c is not None else reverse("recruitment:candidate", args=[row.candidate_id])
        items.append(
            TodoItem(
                candidate_id=row.candidate_id,
                name=row.name,
                cell_name=row.cell_name,
                stage=row.stage,
                due_on=row.due_on,
                overdue=row.overdue,
                note=row.note,
                action=str(_DEADLINE_TITLES[kind]),
                url=url,
            )
        )
    return items


def _cells(rows) -> dict[int, Candidate]:
    """Stand-ins carrying what `permissions.can_record` needs (the cell), read with one query for the rows."""
    ids = {r.candidate_id for r in rows}
    if not ids:
        return {}
    return {c.pk: c for c in Candidate.objects.filter(pk__in=ids).select_related("cell").only("pk", "cell")}


def deadline_rows(user, today: datetime.date):
    """The deadlines of the user's subtrees, by section (deadlines.deadlines_for, six queries)."""
    return deadlines_for(Subtrees(paths=tuple(user_paths(user))), today)


# --- the page -----------------------------------------------------------------------------------------


def todo_for(user, today: datetime.date, *, limit: int = SECTION_LIMIT) -> TodoList:
    """Every section with its first `limit` rows: a fixed number of queries whatever the subtree's size."""
    usual = stage_times.usual_days(user_paths(user), today)
    sections = []
    for kind in (TodoKind.RETURNED, TodoKind.VOTES):
        sections.append(_candidate_section(user, kind, today, usual, limit))
    deadlines = deadline_rows(user, today)
    shown = {s.kind: s.rows[:limit] for s in deadlines.sections}
    cells = _cells([r for rows in shown.values() for r in rows])
    for kind in (Kind.DECISION, Kind.CEREMONY, Kind.PROBATION, Kind.VERIFICATION):
        section = deadlines.section(kind)
        sections.append(_deadline_section(user, kind, section, shown[kind], cells))
    sections.append(_candidate_section(user, TodoKind.WAITING, today, usual, limit))
    for kind in (Kind.CERTIFICATE, Kind.AGE):
        section = deadlines.section(kind)
        sections.append(_deadline_section(user, kind, section, shown[kind], cells))
    sections.append(_candidate_section(user, TodoKind.FIX, today, usual, limit))
    return TodoList(today=today, sections=sections)


def _candidate_section(user, kind, today, usual, limit) -> TodoSection:
    _select, title, empty = CANDIDATE_SECTIONS[kind]
    rows = candidate_rows(user, kind, today, usual)
    totals = rows.order_by().aggregate(n=Count("pk"), stuck_n=Sum("stuck"))
    candidates = list(rows[:limit])
    return TodoSection(
        kind=kind,
        title=str(title),
        empty=str(empty),
        items=candidate_items(user, kind, candidates, today, usual),
        count=totals["n"] or 0,
        highlighted=totals["stuck_n"] or 0,
    )


def _deadline_section(user, kind, section, rows, cells) -> TodoSection:
    return TodoSection(
        kind=kind,
        title=str(_DEADLINE_TITLES[kind]),
        empty=section.empty,
        items=deadline_items(user, kind, rows, cells),
        count=section.count,
        highlighted=section.overdue_count,
    )


def is_candidate_kind(kind: str) -> bool:
    return kind in CANDIDATE_SECTIONS


def is_deadline_kind(kind: str) -> bool:
    return kind in _DEADLINE_STEPS
