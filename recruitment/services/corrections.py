"""Corrections: the person's and the candidacy's details, a recorded step's values, the latest step
undone. Each needs a reason and leaves a `Correction` (who, when, why, before and after) on the
candidate's timeline, and the reason on the simple-history rows it writes.

A correction re-runs the rules over the whole recorded timeline with the corrected values
(`_timeline_findings`: every recorded step's own `*_findings` function, and the dates of the whole
record in sequence). It is refused when it makes a rule block that did not block before, with the
rule's own message, keyed by the field to change; what the rules only warn about becomes the
candidate's open warnings. A correction that moves a date or a figure's attribute announces it
(`figures_changed`) as the step itself does.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members import scoping
from members.models import Member, MemberMovement
from members.validation import history_reason
from members.vocabulary import MemberStatus, MovementKind
from partyhub.figures import figures_changed

from .. import rules
from ..models import (
    AdmissionDecision,
    Candidate,
    CellVote,
    Ceremony,
    CommitteeApproval,
    Correction,
    Dossier,
    DossierReturn,
    Enrolment,
    Exit,
    Recognition,
    StageEntry,
    VerificationRequest,
)
from ..rules import Finding
from ..vocabulary import Stage
from . import records
from .ceremony import ceremony_findings
from .decision import decision_findings
from .dossier import DOSSIER_FIELDS, INTRODUCER_CODES, dossier_findings
from .probation import recognition_findings
from .records import latest_held, local_today, lock_candidate, open_findings, passed_enrolment
from .refusals import StepRefused, full_clean_or_refuse
from .votes import VOTE_FIELDS, cell_vote_findings, committee_findings, needs_committee_approval

DETAILS = "details"

PERSON_FIELDS = (
    "full_name",
    "gender",
    "date_of_birth",
    "ethnicity",
    "religion",
    "general_education",
    "professional_training",
    "occupation",
    "phone",
    "citizen_id",
    "is_youth_union_member",
)
# Read and changed only by the sensitive-data roles (members.scoping.can_see_sensitive).
SENSITIVE_FIELDS = frozenset({"ethnicity", "religion", "citizen_id"})
CANDIDATE_FIELDS = ("introduced_by", "helper", "proposed_on", "over_age_exception", "education_exception")

# What each correctable step record lets change, by the step's name (permissions' names, plus
# "certificate", the class result that the class's organiser records).
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "enrol": ("party_class",),
    "certificate": ("certificate_number", "certificate_issued_on"),
    "dossier": (
        "application_date",
        "personal_history_date",
        "verification_completed_on",
        "opinions_date",
        "route",
        "body_introduction_date",
        "submitted_on",
        "youth_union_exists",
    ),
    "cell-vote": ("held_on", "votes_for", "full_members", "absent_exempt"),
    "committee-approval": ("held_on", "votes_for", "committee_members"),
    "decision": ("number", "decided_on", "received_on", "extended"),
    "ceremony": ("held_on", "superior_consent"),
    "recognition": ("meeting_on", "decision_number"),
    "verification": ("sent_to", "sent_on", "reply_due_on", "replied_on", "reply"),
}
STEP_MODELS: dict[str, type[models.Model]] = {
    "enrol": Enrolment,
    "certificate": Enrolment,
    "dossier": Dossier,
    "cell-vote": CellVote,
    "committee-approval": CommitteeApproval,
    "decision": AdmissionDecision,
    "ceremony": Ceremony,
    "recognition": Recognition,
    "verification": VerificationRequest,
}
# What each kind is called on the timeline and the correction pages.
KIND_LABELS = {
    DETAILS: gettext_lazy("Thông tin cá nhân"),
    "enrol": gettext_lazy("Cử đi học lớp bồi dưỡng"),
    "certificate": gettext_lazy("Kết quả lớp bồi dưỡng, giấy chứng nhận"),
    "class_failed": gettext_lazy("Chưa đạt lớp bồi dưỡng"),
    "dossier": gettext_lazy("Hồ sơ xin vào Đảng"),
    "cell-vote": gettext_lazy("Chi bộ biểu quyết"),
    "committee-approval": gettext_lazy("Đảng ủy cơ sở xét duyệt"),
    "return": gettext_lazy("Cấp ủy trả lại hồ sơ"),
    "decision": gettext_lazy("Quyết định kết nạp"),
    "ceremony": gettext_lazy("Lễ kết nạp"),
    "recognition": gettext_lazy("Công nhận đảng viên chính thức"),
    "verification": gettext_lazy("Thẩm tra lý lịch"),
    "withdraw": gettext_lazy("Dừng theo dõi"),
    "reject": gettext_lazy("Không được kết nạp"),
}
# The stage each step moves the candidate into, and the date it enters it on.
ENTERS = {
    "certificate": (Stage.TRAINED, "certificate_issued_on"),
    "dossier": (Stage.DOSSIER, "submitted_on"),
    "cell-vote": (Stage.CELL_RESOLUTION, "held_on"),
    "committee-approval": (Stage.COMMITTEE_REVIEW, "held_on"),
    "decision": (Stage.DECIDED, "decided_on"),
    "ceremony": (Stage.PROBATIONARY, "held_on"),
    "recognition": (Stage.FULL, "meeting_on"),
}

# Person and candidacy fields the figures read (breakdowns, quotas, dates); a name, a phone or an ID
# number moves none.
DETAIL_FIGURE_FIELDS = frozenset(
    {
        "gender",
        "date_of_birth",
        "ethnicity",
        "religion",
        "general_education",
        "professional_training",
        "occupation",
        "is_youth_union_member",
        "introduced_by",
        "proposed_on",
    }
)

# A blocking finding -> the form field to change (the steps' own maps, and the details').
FIELD_FOR: dict[str, dict[str, str]] = {
    DETAILS: {
        "birth_date": "date_of_birth",
        "R01_TOO_YOUNG": "date_of_birth",
        "R01_TOO_OLD": "over_age_exception",
        "R01_EXCEPTION_WITHOUT_REFERENCE": "over_age_exception",
        "R02_EDUCATION_MISSING": "general_education",
        "R02_EDUCATION_TOO_LOW": "general_education",
        "R02_EXCEPTION_WITHOUT_REFERENCE": "education_exception",
        "R05_YOUTH_NOT_UNION_MEMBER": "is_youth_union_member",
    },
    "certificate": {"certificate_date": "certificate_issued_on", "R03_CERTIFICATE_EXPIRED": "certificate_issued_on"},
    "dossier": {**DOSSIER_FIELDS, **dict.fromkeys(INTRODUCER_CODES, NON_FIELD_ERRORS), "introduction_date": "route"},
    "cell-vote": VOTE_FIELDS,
    "committee-approval": {
        "committee_approval_date": "held_on",
        "R06_COMMITTEE_VOTE_SHARE": "votes_for",
        "R06_COMMITTEE_VOTES_EXCEED_VOTERS": "votes_for",
        "R06_COMMITTEE_FIGURES_INVALID": "committee_members",
    },
    "decision": {
        "decision_date": "decided_on",
        "decision_received_date": "received_on",
        "R08_DECISION_LATE": "decided_on",
        "R08_DECISION_EXTENDED": "extended",
    },
    "ceremony": {"ceremony_date": "held_on", "R09_CEREMONY_LATE": "superior_consent"},
    "recognition": {"recognition_date": "meeting_on", "R10_PROBATION_NOT_OVER": "meeting_on"},
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


# --- the recorded timeline ----------------------------------------------------------------------


@dataclass
class Timeline:
    """The candidate's step records in hand; a correction changes them here before the rules run."""

    candidate: Candidate
    enrolment: Enrolment | None
    dossier: Dossier | None
    introducers: list
    vote: CellVote | None
    approval: CommitteeApproval | None
    decision: AdmissionDecision | None
    ceremony: Ceremony | None
    recognition: Recognition | None
    verifications: list = field(default_factory=list)


def load_timeline(candidate: Candidate) -> Timeline:
    dossier = Dossier.objects.filter(candidate=candidate).first()
    return Timeline(
        candidate=candidate,
        enrolment=passed_enrolment(candidate),
        dossier=dossier,
        introducers=list(dossier.introducers.select_related("member__person")) if dossier else [],
        vote=latest_held(candidate.cell_votes),
        approval=latest_held(candidate.committee_approvals),
        decision=AdmissionDecision.objects.filter(candidate=candidate).first(),
        ceremony=Ceremony.objects.filter(candidate=candidate).first(),
        recognition=Recognition.objects.filter(candidate=candidate).first(),
        verifications=list(VerificationRequest.objects.filter(candidate=candidate).order_by("sent_on", "pk")),
    )


def timeline_dates(t: Timeline) -> dict[str, datetime.date | None]:
    """Every date of the record as `rules.chronology_findings` names them (`records.timeline_dates`,
    the verification requests included), with the recognition's."""
    dates = records.timeline_dates(
        t.candidate,
        enrolment=t.enrolment,
        dossier=t.dossier,
        introducers=t.introducers,
        verifications=t.verifications,
        vote=t.vote,
        approval=t.approval,
        decision=t.decision,
        ceremony=t.ceremony,
    )
    dates["recognition_date"] = t.recognition.meeting_on if t.recognition else None
    return dates


def _timeline_findings(t: Timeline) -> list[Finding]:
    """The rules over the whole recorded timeline: the dates of the record in sequence, then each
    recorded step's own findings on the records as they stand in `t` (corrected or not)."""
    today = local_today()
    c = t.candidate
    findings = rules.check_dates_plausible(today=today, **timeline_dates(t))
    if t.dossier is not None:
        findings += dossier_findings(c, t.dossier, t.introducers, today=today, enrolment=t.enrolment)
    if t.vote is not None and t.dossier is not None:
        findings += cell_vote_findings(
            c,
            t.dossier,
            t.enrolment,
            t.introducers,
            held_on=t.vote.held_on,
            votes_for=t.vote.votes_for,
            full_members=t.vote.full_members,
            absent_exempt=t.vote.absent_exempt,
            today=today,
            roll_full_members=t.vote.roll_full_members,
            named_absent=len(t.vote.absent_members.all()) if t.vote.pk else 0,
            base_reason=t.vote.base_reason,
        )
    if t.approval is not None and t.vote is not None:
        findings += committee_findings(
            vote_held_on=t.vote.held_on,
            held_on=t.approval.held_on,
            votes_for=t.approval.votes_for,
            committee_members=t.approval.committee_members,
            today=today,
        )
    if t.decision is not None and t.vote is not None:
        findings += decision_findings(
            vote_held_on=t.vote.held_on,
            approval_held_on=t.approval.held_on if t.approval and needs_committee_approval(c) else None,
            decided_on=t.decision.decided_on,
            received_on=t.decision.received_on,
            extended=t.decision.extended,
            today=today,
        )
    if t.ceremony is not None and t.decision is not None:
        findings += ceremony_findings(
            t.decision, held_on=t.ceremony.held_on, superior_consent=t.ceremony.superior_consent, today=today
        )
    if t.recognition is not None and t.ceremony is not None:
        findings += recognition_findings(
            ceremony_held_on=t.ceremony.held_on, meeting_on=t.recognition.meeting_on, today=today
        )
    return rules.unique_findings(findings)


def _refuse_new_blocks(before: Iterable[Finding], after: list[Finding], field_for: Mapping[str, str]) -> None:
    """Refuse when the corrected timeline blocks where the record did not: what was already wrong
    stays correctable (that is what corrections are for), what the correction breaks is refused."""
    known = {(f.code, f.message) for f in before if f.blocks}
    new = [f for f in after if f.blocks and (f.code, f.message) not in known]
    if not new:
        return
    errors: dict[str, list[str]] = {}
    for f in new:
        field = field_for.get(f.code) or field_for.get(str(f.figures.get("field", ""))) or NON_FIELD_ERRORS
        errors.setdefault(field, []).append(f.message)
    raise StepRefused(errors, after)


# --- helpers ------------------------------------------------------------------------------------


def _json(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return {"id": value.pk, "text": str(value)}
    return value


def _apply(obj, values: Mapping, fields: Iterable[str]) -> tuple[dict, dict, set[str]]:
    """Set the given fields on `obj`; the changed ones' values before and after (JSON), and their names."""
    before, after, changed = {}, {}, set()
    for name in fields:
        if name not in values:
            continue
        old, new = getattr(obj, name), values[name]
        if isinstance(new, str):
            new = new.strip()
        if old == new or (old in (None, "") and new in (None, "")):
            continue
        before[name], after[name] = _json(old), _json(new)
        setattr(obj, name, new)
        changed.add(name)
    return before, after, changed


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise StepRefused({"reason": _("Hãy ghi lý do sửa.")})
    return reason


def _save(obj, *, by, reason: str, **kwargs) -> None:
    obj._history_user = by
    obj._change_reason = history_reason(reason)
    obj.save(**kwargs)


def _moves_figure(model: type[models.Model], changed: Iterable[str]) -> bool:
    return any(isinstance(model._meta.get_field(name), models.DateField) for name in changed)


def _refresh_warnings(candidate: Candidate, findings: list[Finding], *, by, reason: str) -> None:
    candidate.open_findings = open_findings(findings)
    _save(candidate, by=by, reason=reason)


# --- the details --------------------------------------------------------------------------------


@transaction.atomic
def candidate_correct_details(
    *, candidate: Candidate, person_fields: Mapping, candidate_fields: Mapping, reason: str, by
) -> Correction:
    """Correct the person's and the candidacy's details (the fields given; the others stay).

    Ethnicity, religion and the citizen ID only for a sensitive-data role over the cell."""
    reason = _require_reason(reason)
    candidate = lock_candidate(candidate)
    person = candidate.person
    if SENSITIVE_FIELDS & set(person_fields) and not scoping.can_see_sensitive(by, candidate.cell):
        raise StepRefused({NON_FIELD_ERRORS: _("Dân tộc, tôn giáo và số CCCD chỉ cấp ủy và Ban Tổ chức mới được sửa.")})
    t = load_timeline(candidate)
    findings_before = _timeline_findings(t)
    person_fields = dict(person_fields)
    if "citizen_id" in person_fields and not person_fields["citizen_id"]:
        person_fields["citizen_id"] = None
    p_before, p_after, p_changed = _apply(person, person_fields, PERSON_FIELDS)
    c_before, c_after, c_changed = _apply(candidate, candidate_fields, CANDIDATE_FIELDS)
    if not p_changed and not c_changed:
        raise StepRefused({NON_FIELD_ERRORS: _("Không có gì thay đổi.")})
    helper = candidate.helper
    if "helper" in c_changed and helper is not None and (helper.cell_id != candidate.cell_id or not helper.is_active):
        raise StepRefused(
            {
                "helper": _("Đảng viên giúp đỡ phải là đảng viên đang sinh hoạt tại chi bộ “%(cell)s”.")
                % {"cell": candidate.cell.name}
            }
        )
    person.full_clean()  # as on entry (members.services.person_create): the refusal keeps its codes
    full_clean_or_refuse(candidate, exclude=["person", "member"])
    findings = _timeline_findings(t)
    _refuse_new_blocks(findings_before, findings, FIELD_FOR[DETAILS])
    if p_changed:
        _save(person, by=by, reason=reason)
    if "proposed_on" in c_changed:
        entry = StageEntry.objects.filter(candidate=candidate, stage=Stage.SOURCE).order_by("pk").first()
        if entry is not None:
            if candidate.stage == Stage.SOURCE and candidate.stage_entered_on == entry.entered_on:
                candidate.stage_entered_on = candidate.proposed_on
            entry.entered_on = candidate.proposed_on
            entry.save(update_fields=["entered_on"])
    _refresh_warnings(candidate, findings, by=by, reason=reason)
    correction = Correction.objects.create(
        candidate=candidate,
        kind=DETAILS,
        record_id=person.pk,
        reason=reason,
        before={**p_before, **c_before},
        after={**p_after, **c_after},
        created_by=by,
    )
    if (p_changed | c_changed) & DETAIL_FIGURE_FIELDS:
        figures_changed(candidate.cell)
    return correction


# --- a recorded step ----------------------------------------------------------------------------


def step_record(candidate: Candidate, step: str, record_id: int | None = None, t: Timeline | None = None):
    """The record a correction of `step` changes (None when there is none): the one in effect."""
    if step == "verification":
        # The request in `t`, so that the rules re-run over the timeline see its corrected values.
        found = (t or load_timeline(candidate)).verifications
        return next((r for r in found if r.pk == record_id), None)
    if step == "enrol":
        return Enrolment.objects.filter(candidate=candidate).select_related("party_class").order_by("-pk").first()
    t = t or load_timeline(candidate)
    return {
        "certificate": t.enrolment,
        "dossier": t.dossier,
        "cell-vote": t.vote,
        "committee-approval": t.approval,
        "decision": t.decision,
        "ceremony": t.ceremony,
        "recognition": t.recognition,
    }.get(step)


def _step_checks(step: str, record, candidate: Candidate, changed: set[str]) -> None:
    """What the step's service checks besides the rules (required numbers, the class's dates)."""
    if step == "enrol":
        if record.passed is not None or candidate.stage != Stage.TRAINING:
            raise StepRefused(
                {"party_class": _("Lớp đã có kết quả; không đổi được lớp. Hãy sửa kết quả hoặc hoàn tác bước.")}
            )
        party_class = record.party_class
        if not candidate.cell.path.startswith(party_class.organiser.path):
            raise StepRefused(
                {
                    "party_class": _("Lớp “%(cls)s” do đơn vị khác tổ chức; chỉ cử người của đơn vị mình.")
                    % {"cls": party_class.name}
                }
            )
        if Enrolment.objects.filter(candidate=candidate, party_class=party_class).exclude(pk=record.pk).exists():
            raise StepRefused(
                {"party_class": _("Người này đã có tên trong lớp “%(cls)s”.") % {"cls": party_class.name}}
            )
    if step == "certificate":
        if not record.certificate_number.strip():
            raise StepRefused({"certificate_number": _("Thiếu số giấy chứng nhận (CN-NTVĐ).")})
        if record.certificate_issued_on is None:
            raise StepRefused({"certificate_issued_on": _("Thiếu ngày cấp giấy chứng nhận.")})
        starts_on = record.party_class.starts_on
        if record.certificate_issued_on < starts_on:
            raise StepRefused(
                {
                    "certificate_issued_on": _("Ngày cấp giấy chứng nhận trước ngày khai giảng lớp (%(d)s).")
                    % {"d": starts_on.strftime("%d/%m/%Y")}
                }
            )
    if step == "decision" and not record.number.strip():
        raise StepRefused({"number": _("Thiếu số quyết định kết nạp (mẫu 9-KNĐ).")})
    if step == "recognition" and not record.decision_number.strip():
        raise StepRefused({"decision_number": _("Thiếu số quyết định công nhận đảng viên chính thức.")})
    if step == "verification":
        if record.reply_due_on < record.sent_on:
            raise StepRefused({"reply_due_on": _("Hạn trả lời không thể trước ngày gửi.")})
        if record.replied_on is not None and record.replied_on < record.sent_on:
            raise StepRefused(
                {
                    "replied_on": _("Ngày trả lời không thể trước ngày gửi (%(d)s).")
                    % {"d": record.sent_on.strftime("%d/%m/%Y")}
                }
            )


def _move_stage_entry(candidate: Candidate, stage: str, on: datetime.date) -> None:
    """The step's stage entry (its latest into `stage`) follows the corrected date."""
    entry = StageEntry.objects.filter(candidate=candidate, stage=stage).order_by("-pk").first()
    if entry is None or entry.entered_on == on:
        return
    latest = StageEntry.objects.filter(candidate=candidate).order_by("-pk").first()
    entry.entered_on = on
    entry.save(update_fields=["entered_on"])
    if latest is not None and latest.pk == entry.pk and candidate.stage == stage:
        candidate.stage_entered_on = on


def _follow_on_member(step: str, record, candidate: Candidate, t: Timeline, *, by, reason: str) -> None:
    """The member's own dates that a decision, a ceremony or a recognition put on file."""
    member = Member.objects.select_for_update().filter(pk=candidate.member_id).first()
    if member is None:
        return
    if step == "decision":
        member.admission_decision_date = record.decided_on
        MemberMovement.objects.filter(member=member, kind=MovementKind.ADMITTED).update(date=record.decided_on)
    elif step == "ceremony":
        member.ceremony_date = record.held_on
        if t.recognition is not None:
            effective = rules.full_member_effective_date(record.held_on)
            t.recognition.effective_on = effective
            _save(t.recognition, by=by, reason=reason)
            member.recognition_date = effective
    else:
        return
    _save(member, by=by, reason=reason)


@transaction.atomic
def step_correct(
    *, candidate: Candidate, step: str, values: Mapping, reason: str, by, record_id: int | None = None
) -> Correction:
    """Correct the values of a recorded step (its date, numbers, references), the rules re-run over
    the whole timeline with them. `record_id` names the verification request; the other steps
    correct the record in effect (the latest vote, the one decision...)."""
    if step not in STEP_FIELDS:
        raise StepRefused({NON_FIELD_ERRORS: _("Bước này không sửa được.")})
    reason = _require_reason(reason)
    candidate = lock_candidate(candidate)
    t = load_timeline(candidate)
    record = step_record(candidate, step, record_id, t)
    if record is None:
        raise StepRefused({NON_FIELD_ERRORS: _("Chưa có bản ghi của bước này để sửa.")})
    findings_before = _timeline_findings(t)
    before, after, changed = _apply(record, values, STEP_FIELDS[step])
    if not changed:
        raise StepRefused({NON_FIELD_ERRORS: _("Không có gì thay đổi.")})
    _step_checks(step, record, candidate, changed)
    # What the step set and a correction does not change (an enrolment's result is the class's, or undone).
    unchanged = ["candidate", "created_by", "party_class", "passed", "issuing_committee", "committee"]
    full_clean_or_refuse(record, exclude=unchanged)
    findings = _timeline_findings(t)
    _refuse_new_blocks(findings_before, findings, FIELD_FOR.get(step, {}))
    _save(record, by=by, reason=reason)
    if step == "enrol":
        _move_stage_entry(candidate, Stage.TRAINING, min(record.party_class.starts_on, local_today()))
    elif step in ENTERS:
        stage, date_field = ENTERS[step]
        _move_stage_entry(candidate, stage, getattr(record, date_field))
    _follow_on_member(step, record, candidate, t, by=by, reason=reason)
    _refresh_warnings(candidate, findings, by=by, reason=reason)
    correction = Correction.objects.create(
        candidate=candidate,
        kind=step,
        record_id=record.pk,
        reason=reason,
        before=before,
        after=after,
        created_by=by,
    )
    if step == "enrol" or (step != "verification" and _moves_figure(type(record), changed)):
        figures_changed(candidate.cell)
    return correction


# --- undoing the latest step --------------------------------------------------------------------


@dataclass(frozen=True)
class LatestStep:
    """The step that made the candidate's latest stage entry, and the entry it goes back to."""

    kind: str  # as in KIND_LABELS
    entry: StageEntry
    previous: StageEntry | None

    @property
    def label(self) -> str:
        return kind_label(self.kind)

    @property
    def undoable(self) -> bool:
        return self.previous is not None


_EXIT_KINDS = {Stage.WITHDRAWN: "withdraw", Stage.REJECTED: "reject", Stage.STRUCK_OFF: "strike-off"}


def latest_step(candidate: Candidate, entries: Iterable[StageEntry] | None = None) -> LatestStep | None:
    """The latest step on record, from the last two stage entries (`entries`: all of them, already read)."""
    if entries is None:
        entries = list(StageEntry.objects.filter(candidate=candidate).order_by("-pk")[:2])
    else:
        entries = sorted(entries, key=lambda e: e.pk, reverse=True)[:2]
    if not entries:
        return None
    entry, previous = entries[0], (entries[1] if len(entries) > 1 else None)
    came_from = previous.stage if previous else None
    stage = entry.stage
    if previous is None:
        kind = "proposal"
    elif stage == Stage.TRAINING:
        kind = "enrol"
    elif stage == Stage.TRAINED:
        kind = "certificate"
    elif stage == Stage.SOURCE:
        kind = "class_failed"
    elif stage == Stage.DOSSIER:
        kind = "dossier" if came_from == Stage.TRAINED else "return"
    elif stage == Stage.CELL_RESOLUTION:
        kind = "cell-vote" if came_from == Stage.DOSSIER else "return"
    elif stage == Stage.COMMITTEE_REVIEW:
        kind = "committee-approval"
    elif stage == Stage.DECIDED:
        kind = "decision"
    elif stage == Stage.PROBATIONARY:
        kind = "ceremony"
    elif stage == Stage.FULL:
        kind = "recognition"
    else:
        kind = _EXIT_KINDS[Stage(stage)]
    return LatestStep(kind=kind, entry=entry, previous=previous)


def _undo_records(kind: str, candidate: Candidate, *, by, reason: str) -> tuple[int | None, dict]:
    """Delete (or reset) what the step recorded; its id and values, for the correction."""
    if kind == "enrol":
        record = Enrolment.objects.filter(candidate=candidate, passed__isnull=True).order_by("-pk").first()
        values = {"party_class": _json(record.party_class)} if record else {}
        if record:
            record._history_user, record._change_reason = by, history_reason(reason)
            record.delete()
        return (record.pk if record else None), values
    if kind in ("certificate", "class_failed"):
        record = Enrolment.objects.filter(candidate=candidate, passed__isnull=False).order_by("-pk").first()
        if record is None:
            return None, {}
        values = {
            "passed": record.passed,
            "certificate_number": record.certificate_number,
            "certificate_issued_on": _json(record.certificate_issued_on),
        }
        record.passed, record.certificate_number, record.certificate_issued_on = None, "", None
        _save(record, by=by, reason=reason)
        return record.pk, values
    model, fields = {
        "dossier": (Dossier, STEP_FIELDS["dossier"]),
        "cell-vote": (CellVote, STEP_FIELDS["cell-vote"]),
        "committee-approval": (CommitteeApproval, STEP_FIELDS["committee-approval"]),
        "decision": (AdmissionDecision, STEP_FIELDS["decision"]),
        "ceremony": (Ceremony, STEP_FIELDS["ceremony"]),
        "recognition": (Recognition, STEP_FIELDS["recognition"]),
        "return": (DossierReturn, ("on", "reason")),
        "withdraw": (Exit, ("on", "reason")),
        "reject": (Exit, ("on", "reason")),
    }[kind]
    record = model.objects.filter(candidate=candidate).order_by("-pk").first()
    if record is None:
        return None, {}
    values = {name: _json(getattr(record, name)) for name in fields}
    if kind == "ceremony":
        _undo_admission(candidate)
    elif kind == "recognition":
        member = Member.objects.select_for_update().get(pk=candidate.member_id)
        member.status, member.recognition_date = MemberStatus.PROBATIONARY, None
        _save(member, by=by, reason=reason)
    record._history_user, record._change_reason = by, history_reason(reason)
    record_id = record.pk
    record.delete()
    return record_id, values


def _undo_admission(candidate: Candidate) -> None:
    """The ceremony made the person a member: the member goes again, if nothing else refers to them."""
    member = candidate.member
    if member is None:
        return
    if MemberMovement.objects.filter(member=member).exclude(kind=MovementKind.ADMITTED).exists():
        raise StepRefused(
            {
                NON_FIELD_ERRORS: _(
                    "Đảng viên này đã có biến động sau lễ kết nạp (chuyển sinh hoạt...); không hoàn tác được."
                )
            }
        )
    candidate.member = None
    candidate.save(update_fields=["member"])
    try:
        with transaction.atomic():
            MemberMovement.objects.filter(member=member).delete()
            member.delete()
    except ProtectedError:
        raise StepRefused(
            {
                NON_FIELD_ERRORS: _(
                    "Đảng viên này đã được ghi ở nơi khác (giới thiệu người vào Đảng...); không hoàn tác được."
                )
            }
        ) from None


@transaction.atomic
def candidate_undo_latest_step(*, candidate: Candidate, reason: str, by, entry_id: int | None = None) -> Correction:
    """Undo the latest step: delete its record, move the candidate back to the stage before it.

    `entry_id`, the stage entry the user saw as the latest: refused if another step came since, so
    only the latest step can be undone, and only the one the user meant."""
    reason = _require_reason(reason)
    candidate = lock_candidate(candidate)
    latest = latest_step(candidate)
    if latest is None or (entry_id is not None and latest.entry.pk != entry_id):
        raise StepRefused(
            {NON_FIELD_ERRORS: _("Chỉ hoàn tác được bước mới nhất; hồ sơ vừa thay đổi, hãy tải lại trang.")}
        )
    if not latest.undoable:
        raise StepRefused(
            {
                NON_FIELD_ERRORS: _(
                    "Bước đưa vào diện quần chúng ưu tú không hoàn tác được; "
                    "hãy sửa thông tin hoặc ghi “Dừng theo dõi”."
                )
            }
        )
    if latest.kind == "strike-off":
        raise StepRefused(
            {NON_FIELD_ERRORS: _("Xóa tên đã ghi vào danh sách đảng viên; việc này không hoàn tác được ở đây.")}
        )
    record_id, values = _undo_records(latest.kind, candidate, by=by, reason=reason)
    from_stage, previous = latest.entry.stage, latest.previous
    latest.entry.delete()
    candidate.stage, candidate.stage_entered_on = previous.stage, previous.entered_on
    back_by_return = DossierReturn.objects.filter(
        candidate=candidate, to_stage=previous.stage, on=previous.entered_on
    ).order_by("-pk")
    returned = back_by_return.first() if latest.kind != "return" else None
    candidate.returned_reason = returned.reason if returned and previous.note == returned.reason else ""
    findings = _timeline_findings(load_timeline(candidate))
    _refresh_warnings(candidate, findings, by=by, reason=reason)
    correction = Correction.objects.create(
        candidate=candidate,
        kind=latest.kind,
        action=Correction.Action.UNDO,
        record_id=record_id,
        reason=reason,
        before={"stage": from_stage, **values},
        after={"stage": previous.stage},
        created_by=by,
    )
    figures_changed(candidate.cell)
    return correction


__all__ = [
    "CANDIDATE_FIELDS",
    "DETAILS",
    "KIND_LABELS",
    "PERSON_FIELDS",
    "SENSITIVE_FIELDS",
    "STEP_FIELDS",
    "LatestStep",
    "candidate_correct_details",
    "candidate_undo_latest_step",
    "latest_step",
    "step_correct",
    "step_record",
]
