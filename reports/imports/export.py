"""A subtree written in the import workbook format (`columns.SHEETS`), so that importing the file into
an empty database rebuilds it: the tree, the rolls, the pipeline step by step, the movements after
each member's entry, and the quotas.

Each sheet says only what the importer turns back into the same records (reports/imports/apply.py):
members admitted through the pipeline are rows of "Quần chúng" (their ceremony puts them on the
rolls), not of "Đảng viên"; a member's entry (the `admitted` movement, or the first `transferred_in`
of someone who came from outside) is not repeated as a movement; a transfer inside the province,
stored as an out and an in on the same day, is one row. A candidate's row carries the steps up to the
stage the candidate stands at (or left from), not beyond: a dossier sent back to the cell keeps the
vote it had, and replaying that vote would carry the candidate past the stage on record.

Written with openpyxl in write-only mode from `.iterator()`: a province (16,500 members, 1,600
candidates) streams to the file without its rows being held in memory, in a fixed number of queries
per sheet (the candidates' step records are prefetched per chunk). Text goes into string cells
(reports/exports/cells.py), so a name like "=1+1" is read back as the same text, never as a formula.
"""

from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal

from django.db.models import F, OuterRef, Prefetch, Subquery
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from members.models import Member, MemberMovement, Organisation
from members.names import order_by_name
from members.vocabulary import MovementKind
from recruitment.models import Candidate, CellVote, CommitteeApproval, Enrolment, Introducer
from recruitment.vocabulary import EXITS, PIPELINE, Stage

from ..exports import cells
from ..models import Quota
from ..progress import periods
from ..vocabulary import PeriodKind
from .columns import (
    BOOL,
    CANDIDATES,
    CHOICE,
    DATE,
    MEMBERS,
    MOVEMENTS,
    ORGANISATIONS,
    QUOTAS,
    SHEETS,
    ClassResultChoice,
    MovementChoice,
    SheetSpec,
)

CHUNK = 2000
# Rows between two calls of export_workbook's progress callback.
PROGRESS_EVERY = 1000
DATE_FORMAT = "DD/MM/YYYY"
YES, NO = "Có", "Không"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)

# What happens to a member after their entry, as the movements sheet names it.
_OUT_KINDS = {
    MovementKind.TRANSFERRED_OUT: MovementChoice.TRANSFERRED_OUT,
    MovementKind.DIED: MovementChoice.DIED,
    MovementKind.STRUCK_OFF: MovementChoice.STRUCK_OFF,
    MovementKind.EXPELLED: MovementChoice.EXPELLED,
    MovementKind.LEFT_PARTY: MovementChoice.LEFT_PARTY,
}


def estimate_rows(root: Organisation) -> int:
    """About how many rows export_workbook writes (a few movements are not written): for a progress bar."""
    return (
        Organisation.objects.filter(path__startswith=root.path).count()
        + Member.objects.filter(cell__path__startswith=root.path, candidate__isnull=True).count()
        + Candidate.objects.filter(cell__path__startswith=root.path).count()
        + MemberMovement.objects.filter(member__cell__path__startswith=root.path).count()
        + Quota.objects.filter(organisation__path__startswith=root.path).count()
    )


def export_workbook(
    organisation: Organisation, target, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Write the subtree of `organisation` to `target` (a path or a binary file); rows per sheet title.

    `progress(rows written, rows expected)` is called every PROGRESS_EVERY rows, when given.
    """
    expected = estimate_rows(organisation) if progress else 0
    written = 0
    producers = {
        ORGANISATIONS.key: _organisation_rows,
        MEMBERS.key: _member_rows,
        CANDIDATES.key: _candidate_rows,
        MOVEMENTS.key: _movement_rows,
        QUOTAS.key: _quota_rows,
    }
    book = Workbook(write_only=True)
    counts: dict[str, int] = {}
    for spec in SHEETS:
        sheet = SheetWriter(book, spec)
        for values in producers[spec.key](organisation):
            sheet.append(values)
            written += 1
            if progress and written % PROGRESS_EVERY == 0:
                progress(written, expected)
        counts[spec.title] = sheet.rows
    book.save(target)
    return counts


class SheetWriter:
    """One sheet of a write-only workbook: the header row, then rows given as {column key: value, choices
    by their code}, written as the importer reads them back (real dates, choice labels, Có / Không,
    blanks as empty cells). bench/import_bench.py writes its generated rows with it too."""

    def __init__(self, book: Workbook, spec: SheetSpec):
        self.spec = spec
        self.sheet = book.create_sheet(spec.title)
        self.rows = 0
        # The Vietnamese labels whatever the user's language: the format is Vietnamese.
        with translation.override("vi"):
            self.labels = {
                column.key: {value: str(label) for value, label in column.choices.choices}
                for column in spec.columns
                if column.kind == CHOICE and column.choices is not None
            }
        for i, column in enumerate(spec.columns, start=1):
            width = max(12, min(len(column.header) + 2, 40))
            self.sheet.column_dimensions[get_column_letter(i)].width = width
        self.sheet.freeze_panes = "A2"
        self.sheet.append(
            [
                cells.write_only(
                    self.sheet, column.header, font=HEADER_FONT, fill=HEADER_FILL, alignment=HEADER_ALIGNMENT
                )
                for column in spec.columns
            ]
        )

    def _cell(self, column, value):
        if value is None or value == "":
            return None
        if column.kind == CHOICE:
            value = self.labels[column.key].get(value, value)
        elif column.kind == BOOL:
            value = YES if value else NO
        elif column.kind == DATE:
            return cells.write_only(self.sheet, value, number_format=DATE_FORMAT)
        elif isinstance(value, Decimal):
            return float(value)
        if isinstance(value, str):
            return cells.write_only(self.sheet, value)
        return value

    def append(self, values: dict) -> None:
        self.sheet.append([self._cell(column, values.get(column.key)) for column in self.spec.columns])
        self.rows += 1


# --- organisations ------------------------------------------------------------------------------


def _organisation_rows(root: Organisation) -> Iterator[dict]:
    step = Organisation.steplen
    codes: dict[str, str] = {}
    if root.depth > 1:
        parent = Organisation.objects.filter(path=root.path[:-step]).values_list("code", flat=True).first()
        codes[root.path[:-step]] = parent or ""
    units = (
        Organisation.objects.filter(path__startswith=root.path)
        .order_by("path")
        .values("path", "code", "name", "level", "sector", "founded_on", "dissolved_on", "merged_into__code")
    )
    # Ordered by path, every parent is read before its children.
    for unit in units.iterator(chunk_size=CHUNK):
        codes[unit["path"]] = unit["code"]
        yield {
            "code": unit["code"],
            "name": unit["name"],
            "level": unit["level"],
            "sector": unit["sector"],
            "parent_code": codes.get(unit["path"][:-step]),
            "founded_on": unit["founded_on"],
            "dissolved_on": unit["dissolved_on"],
            "merged_into_code": unit["merged_into__code"],
        }


# --- people -------------------------------------------------------------------------------------


def _person(person) -> dict:
    return {
        "citizen_id": person.citizen_id,
        "full_name": person.full_name,
        "gender": person.gender,
        "date_of_birth": person.date_of_birth,
        "ethnicity": person.ethnicity,
        "religion": person.religion,
        "general_education": person.general_education,
        "professional_training": person.professional_training,
        "occupation": person.occupation,
        "phone": person.phone,
        "is_youth_union_member": person.is_youth_union_member,
        "is_business_owner": person.is_business_owner,
    }


def _reference(member: Member | None) -> str | None:
    """How the sheet names a member (helper, introducer): the citizen ID, else the party card number."""
    if member is None:
        return None
    return member.person.citizen_id or member.card_number or None


def _member_rows(root: Organisation) -> Iterator[dict]:
    first_cell = MemberMovement.objects.filter(member=OuterRef("pk")).order_by("date", "pk")
    members = order_by_name(
        Member.objects.filter(cell__path__startswith=root.path, candidate__isnull=True)
        .select_related("person", "cell")
        .annotate(entry_code=Subquery(first_cell.values("organisation__code")[:1])),
        before=("cell__path",),
    )
    for member in members.iterator(chunk_size=CHUNK):
        yield {
            **_person(member.person),
            "cell_code": member.cell.code,
            "entry_cell_code": member.entry_code if member.entry_code != member.cell.code else None,
            "admission_decision_date": member.admission_decision_date,
            "ceremony_date": member.ceremony_date,
            "recognition_date": member.recognition_date,
            "card_number": member.card_number,
            "is_readmitted": member.is_readmitted,
            "introduced_by": member.introduced_by or None,
        }


# --- candidates ---------------------------------------------------------------------------------


def _rank(stage: str) -> int:
    return PIPELINE.index(stage)


def _latest(records: Iterable, *keys: str):
    return max(records, key=lambda r: (*(getattr(r, k) for k in keys), r.pk), default=None)


def _enrolment(candidate: Candidate, reached: int) -> Enrolment | None:
    """The class the row names: the one passed (latest certificate) once trained, else the latest;
    a candidate back at the source keeps the class they failed, which sent them back there."""
    enrolments = list(candidate.enrolments.all())
    if reached >= _rank(Stage.TRAINED):
        return _latest((e for e in enrolments if e.passed), "certificate_issued_on")
    latest = max(enrolments, key=lambda e: (e.party_class.starts_on, e.pk), default=None)
    if reached == _rank(Stage.TRAINING) or (latest is not None and latest.passed is False):
        return latest
    return None


def _class_cells(enrolment: Enrolment | None) -> dict:
    if enrolment is None:
        return {}
    party_class = enrolment.party_class
    result = {True: ClassResultChoice.PASSED, False: ClassResultChoice.FAILED}.get(enrolment.passed)
    return {
        "class_name": party_class.name,
        "class_organiser_code": party_class.organiser.code,
        "class_starts_on": party_class.starts_on,
        "class_ends_on": party_class.ends_on,
        "class_result": result,
        "certificate_number": enrolment.certificate_number,
        "certificate_issued_on": enrolment.certificate_issued_on,
    }


def _dossier_cells(dossier) -> dict:
    if dossier is None:
        return {}
    cells = {
        "application_date": dossier.application_date,
        "personal_history_date": dossier.personal_history_date,
        "verification_completed_on": dossier.verification_completed_on,
        "opinions_date": dossier.opinions_date,
        "route": dossier.route,
        "body_introduction_date": dossier.body_introduction_date,
        "youth_union_exists": dossier.youth_union_exists,
        "submitted_on": dossier.submitted_on,
    }
    for n, introducer in enumerate(sorted(dossier.introducers.all(), key=lambda i: i.pk)[:2], start=1):
        cells |= {
            f"introducer{n}": _reference(introducer.member),
            f"introducer{n}_known_since": introducer.known_since,
            f"introducer{n}_on": introducer.introduced_on,
            f"introducer{n}_replacement": introducer.is_replacement,
        }
    return cells


def _candidate_row(candidate: Candidate) -> dict:
    exit_ = getattr(candidate, "exit", None)
    if candidate.stage in EXITS:
        reached = _rank(exit_.from_stage) if exit_ is not None and exit_.from_stage in PIPELINE else 0
    else:
        reached = _rank(candidate.stage)
    row = {
        **_person(candidate.person),
        "cell_code": candidate.cell.code,
        "stage": candidate.stage,
        "introduced_by": candidate.introduced_by,
        "proposed_on": candidate.proposed_on,
        "helper": _reference(candidate.helper),
        "over_age_exception": candidate.over_age_exception,
        "education_exception": candidate.education_exception,
        **_class_cells(_enrolment(candidate, reached)),
    }
    if reached >= _rank(Stage.DOSSIER):
        row |= _dossier_cells(getattr(candidate, "dossier", None))
    vote = _latest(candidate.cell_votes.all(), "held_on") if reached >= _rank(Stage.CELL_RESOLUTION) else None
    if vote is not None:
        row |= {
            "vote_held_on": vote.held_on,
            "votes_for": vote.votes_for,
            "full_members": vote.full_members,
            "absent_exempt": vote.absent_exempt,
            # Sorted: the members' keys (and so their order) change when a file is imported elsewhere.
            "absent_members": "; ".join(sorted(filter(None, (_reference(m) for m in vote.absent_members.all()))))
            or None,
            "vote_base_reason": vote.base_reason or None,
        }
    approval = (
        _latest(candidate.committee_approvals.all(), "held_on") if reached >= _rank(Stage.COMMITTEE_REVIEW) else None
    )
    if approval is not None:
        row |= {
            "committee_held_on": approval.held_on,
            "committee_votes_for": approval.votes_for,
            "committee_members": approval.committee_members,
            "committee_base_reason": approval.base_reason or None,
        }
    decision = getattr(candidate, "decision", None) if reached >= _rank(Stage.DECIDED) else None
    if decision is not None:
        row |= {
            "decision_number": decision.number,
            "decided_on": decision.decided_on,
            "decision_received_on": decision.received_on,
            "decision_extended": decision.extended,
        }
    ceremony = getattr(candidate, "ceremony", None) if reached >= _rank(Stage.PROBATIONARY) else None
    if ceremony is not None:
        row |= {"ceremony_on": ceremony.held_on, "superior_consent": ceremony.superior_consent}
    recognition = getattr(candidate, "recognition", None) if reached >= _rank(Stage.FULL) else None
    if recognition is not None:
        row |= {"recognition_meeting_on": recognition.meeting_on, "recognition_number": recognition.decision_number}
    if candidate.member is not None:
        row["card_number"] = candidate.member.card_number
    if candidate.stage in EXITS and exit_ is not None:
        row |= {"exit_on": exit_.on, "exit_reason": exit_.reason}
    return row


def _candidate_rows(root: Organisation) -> Iterator[dict]:
    candidates = (
        Candidate.objects.filter(cell__path__startswith=root.path)
        .select_related(
            "person",
            "cell",
            "helper__person",
            "member",
            "dossier",
            "decision",
            "ceremony",
            "recognition",
            "exit",
        )
        .prefetch_related(
            Prefetch("enrolments", queryset=Enrolment.objects.select_related("party_class__organiser")),
            Prefetch(
                "cell_votes",
                queryset=CellVote.objects.prefetch_related(
                    Prefetch("absent_members", queryset=Member.objects.select_related("person"))
                ),
            ),
            Prefetch("committee_approvals", queryset=CommitteeApproval.objects.all()),
            Prefetch("dossier__introducers", queryset=Introducer.objects.select_related("member__person")),
        )
        # Candidates admitted earliest first: a member admitted through the pipeline who introduces
        # or helps a later candidate is then on the rolls when that candidate's row is imported.
        .order_by(F("ceremony__held_on").asc(nulls_last=True), "proposed_on", "pk")
    )
    for candidate in candidates.iterator(chunk_size=CHUNK):
        yield _candidate_row(candidate)


# --- movements ----------------------------------------------------------------------------------


def _movement_rows(root: Organisation) -> Iterator[dict]:
    """Every movement after a member's entry, in date order; an out and an in of the same member on the
    same day (a transfer inside the province, or a merge of cells) as one row."""
    movements = (
        MemberMovement.objects.filter(member__cell__path__startswith=root.path)
        .select_related("organisation", "member__person", "member__candidate")
        # By person rather than by id within a day, so the file reads the same after an import (new
        # ids); a member's own movements stay together, which the pairing below needs.
        .order_by(
            "date", "member__person__citizen_id", "member__card_number", "member__person__full_name", "member_id", "pk"
        )
    )
    pending = None  # a transfer out waiting to see whether the next movement is its matching in
    for movement in movements.iterator(chunk_size=CHUNK):
        if pending is not None:
            out, pending = pending, None
            if (
                movement.kind == MovementKind.TRANSFERRED_IN
                and movement.member_id == out.member_id
                and movement.date == out.date
            ):
                yield _movement(movement, MovementChoice.TRANSFER, to=movement.organisation.code, note=out.note)
                continue
            yield _movement(out, MovementChoice.TRANSFERRED_OUT)
        kind = movement.kind
        if kind == MovementKind.ADMITTED:
            # The importer admits the member from the admission date; a later "admitted" cannot be said.
            continue
        if kind == MovementKind.TRANSFERRED_IN:
            yield _movement(movement, MovementChoice.TRANSFERRED_IN, to=movement.organisation.code)
            continue
        if kind == MovementKind.TRANSFERRED_OUT:
            pending = movement
            continue
        if kind == MovementKind.STRUCK_OFF and _struck_off_as_candidate(movement.member):
            # The candidate's row (stage "Xóa tên", with its date) strikes the member off again.
            continue
        yield _movement(movement, _OUT_KINDS[kind])
    if pending is not None:
        yield _movement(pending, MovementChoice.TRANSFERRED_OUT)


def _struck_off_as_candidate(member: Member) -> bool:
    candidate = getattr(member, "candidate", None)
    return candidate is not None and candidate.stage == Stage.STRUCK_OFF


def _movement(movement: MemberMovement, kind: str, *, to: str | None = None, note: str | None = None) -> dict:
    member = movement.member
    return {
        "citizen_id": member.person.citizen_id,
        "card_number": member.card_number,
        "full_name": member.person.full_name,
        "date_of_birth": member.person.date_of_birth,
        "kind": kind,
        "date": movement.date,
        "to_cell_code": to,
        "note": movement.note if note is None else note,
    }


# --- quotas -------------------------------------------------------------------------------------


def period_text(quota: Quota) -> str:
    """The period as the "Kỳ" column reads it: "2025-2030", "2026" or "01/01/2026..30/06/2026"."""
    start, end = quota.period_start, quota.period_end
    if quota.period_kind == PeriodKind.TERM:
        return f"{start.year}-{start.year + periods.TERM_YEARS}"
    if quota.period_kind == PeriodKind.YEAR:
        return f"{start.year}"
    return f"{start:%d/%m/%Y}..{end:%d/%m/%Y}"


def _quota_rows(root: Organisation) -> Iterator[dict]:
    quotas = (
        Quota.objects.filter(organisation__path__startswith=root.path)
        .select_related("organisation")
        .order_by("organisation__path", "period_start", "period_end", "pk")
    )
    for quota in quotas.iterator(chunk_size=CHUNK):
        yield {
            "organisation_code": quota.organisation.code,
            "period": period_text(quota),
            "source": quota.source,
            "metric": quota.metric,
            "share_attribute": quota.share_attribute,
            "value_kind": quota.value_kind,
            "value": quota.value,
            "upper": quota.upper,
            "rate_percent": quota.rate_percent,
            "base_members": quota.base_members,
            "carry_over": quota.carry_over,
            "note": quota.note,
        }
