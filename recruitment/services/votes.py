"""One service per admission step. Keyword-only, atomic, rules first, candidate row locked.

Each step: lock the candidate, check it is in the stage the step starts from, run the rules on the
values it would record, refuse when a rule blocks (a ValidationError keyed by form field, carrying
the findings), then write the step record, move the stage and keep the warnings on the candidate.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members import services as member_services
from members.models import Member, MemberMovement, Organisation, Person
from members.structure import deciding_committee_of, grassroots_committee_of
from members.vocabulary import CELL_LEVELS, MemberStatus, MovementKind, Sector
from partyhub.figures import figures_changed

from .. import rules
from ..models import (
    AdmissionDecision,
    Candidate,
    CellVote,
    Ceremony,
    CommitteeApproval,
    Dossier,
    DossierReturn,
    Enrolment,
    Exit,
    Introducer,
    PartyClass,
    Recognition,
    StageEntry,
    VerificationRequest,
)
from ..rules import Finding, IntroductionRoute
from ..vocabulary import EXITS_FROM, OPEN_STAGES, Stage

AGENCY_OR_ENTERPRISE = {
    Sector.AGENCY,
    Sector.PUBLIC_SERVICE,
    Sector.STATE_ENTERPRISE,
    Sector.NON_STATE_ENTERPRISE,
}


class StepRefused(ValidationError):
    """A step the rules forbid. `findings` keeps every finding (blocking and not) for the page."""

    def __init__(self, errors, findings: Sequence[Finding] = ()):
        super().__init__(errors)
        self.findings = list(findings)


# --- plumbing -----------------------------------------------------------------------------------


def _lock(candidate: Candidate) -> Candidate:
    return Candidate.objects.select_for_update().select_related("person", "cell").get(pk=candidate.pk)


def _expect(candidate: Candidate, *stages: str) -> None:
    if candidate.stage not in stages:
        raise StepRefused(
            {
                NON_FIELD_ERRORS: _(
                    "Không thể thực hiện bước này: “%(name)s” đang ở giai đoạn “%(stage)s”, bước này chỉ làm được "
                    "ở giai đoạn %(expected)s. Có thể người khác vừa cập nhật; hãy tải lại trang."
                )
                % {
                    "name": candidate.person.full_name,
                    "stage": Stage(candidate.stage).label,
                    "expected": ", ".join(f"“{Stage(s).label}”" for s in stages),
                }
            }
        )


def _refuse_if_blocked(findings: Iterable[Finding], field_for: dict[str, str]) -> list[Finding]:
    """Raise with the blocking findings keyed by form field; return the findings that only warn."""
    findings = rules.unique_findings(findings)
    blocking = [f for f in findings if f.blocks]
    if blocking:
        errors: dict[str, list[str]] = {}
        for f in blocking:
            field = field_for.get(f.code) or field_for.get(str(f.figures.get("field", ""))) or NON_FIELD_ERRORS
            errors.setdefault(field, []).append(f.message)
        raise StepRefused(errors, findings)
    return findings


def _move(
    candidate: Candidate, stage: str, on: datetime.date, by, findings: Sequence[Finding] = (), note: str = ""
) -> None:
    candidate.stage = stage
    candidate.stage_entered_on = on
    candidate.returned_reason = ""
    candidate.open_findings = [
        {"code": f.code, "severity": str(f.severity), "message": f.message} for f in findings if not f.blocks
    ]
    candidate._history_user = by
    candidate.save()
    StageEntry.objects.create(candidate=candidate, stage=stage, entered_on=on, note=note, created_by=by)
    # Every stage change moves a figure of the cell's progress (and the ceremony is the admission).
    figures_changed(candidate.cell)


def _today() -> datetime.date:
    return timezone.localdate()


def _full_clean(obj, exclude: Sequence[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as error:
        raise StepRefused(error.message_dict) from None


def _dates(candidate: Candidate, **more) -> dict:
    """The dates already on record, for the plausibility rule (birth, certificate, dossier, votes)."""
    known = {"birth_date": candidate.person.date_of_birth}
    enrolment = _passed_enrolment(candidate)
    if enrolment:
        known["certificate_date"] = enrolment.certificate_issued_on
    dossier = getattr(candidate, "dossier", None)
    if dossier:
        known["application_date"] = dossier.application_date
        known["history_date"] = dossier.personal_history_date
    return {**known, **more}


def _passed_enrolment(candidate: Candidate) -> Enrolment | None:
    return Enrolment.objects.filter(candidate=candidate, passed=True).order_by("-certificate_issued_on", "-pk").first()


def _latest(qs):
    return qs.order_by("-held_on", "-pk").first()


# --- source -------------------------------------------------------------------------------------


@transaction.atomic
def candidate_propose(
    *,
    cell: Organisation,
    introduced_by: str,
    proposed_on: datetime.date,
    by,
    person: Person | None = None,
    person_fields: dict | None = None,
    helper: Member | None = None,
) -> Candidate:
    """Record an outstanding person (quần chúng ưu tú) proposed to a cell, with a helper member."""
    if cell.level not in CELL_LEVELS:
        raise StepRefused({"cell": _("Quần chúng ưu tú phải thuộc một chi bộ (chi bộ trực thuộc hoặc chi bộ cơ sở).")})
    if not cell.is_active:
        raise StepRefused({"cell": _("Chi bộ “%(cell)s” đã giải thể.") % {"cell": cell.name}})
    if helper is not None and (helper.cell_id != cell.pk or not helper.is_active):
        raise StepRefused(
            {
                "helper": _("Đảng viên giúp đỡ phải là đảng viên đang sinh hoạt tại chi bộ “%(cell)s”.")
                % {"cell": cell.name}
            }
        )
    if person is None:
        person = member_services.person_create(**(person_fields or {}))
    elif hasattr(person, "member") and person.member.is_active:
        raise StepRefused({"person": _("“%(name)s” đã là đảng viên.") % {"name": person.full_name}})
    elif Candidate.objects.filter(person=person).exists():
        raise StepRefused(
            {"person": _("“%(name)s” đã có trong danh sách quần chúng ưu tú.") % {"name": person.full_name}}
        )
    candidate = Candidate(
        person=person,
        cell=cell,
        stage=Stage.SOURCE,
        stage_entered_on=proposed_on,
        introduced_by=introduced_by,
        helper=helper,
        proposed_on=proposed_on,
    )
    _full_clean(candidate, exclude=["person"])
    candidate._history_user = by
    candidate.save()
    StageEntry.objects.create(candidate=candidate, stage=Stage.SOURCE, entered_on=proposed_on, created_by=by)
    figures_changed(cell)
    return candidate


# --- class --------------------------------------------------------------------------------------


@transaction.atomic
def class_create(
    *, organiser: Organisation, name: str, starts_on: datetime.date, ends_on: datetime.date, place: str = "", by
) -> PartyClass:
    if ends_on < starts_on:
        raise StepRefused({"ends_on": _("Ngày bế giảng không thể trước ngày khai giảng.")})
    party_class = PartyClass(organiser=organiser, name=name, starts_on=starts_on, ends_on=ends_on, place=place)
    _full_clean(party_class)
    party_class._history_user = by
    party_class.save()
    return party_class


@transaction.atomic
def candidate_enroll_in_class(*, candidate: Candidate, party_class: PartyClass, by) -> Enrolment:
    candidate = _lock(candidate)
    _expect(candidate, Stage.SOURCE)
    if not candidate.cell.path.startswith(party_class.organiser.path):
        raise StepRefused(
            {
                "party_class": _("Lớp “%(cls)s” do đơn vị khác tổ chức; chỉ cử người của đơn vị mình.")
                % {"cls": party_class.name}
            }
        )
    enrolment, _created = Enrolment.objects.get_or_create(party_class=party_class, candidate=candidate)
    _move(candidate, Stage.TRAINING, min(party_class.starts_on, _today()), by)
    return enrolment


@transaction.atomic
def class_enroll_candidates(*, party_class: PartyClass, candidates: Sequence[Candidate], by) -> int:
    """Send several people to one class, all or nothing: one refusal leaves everyone where they were."""
    for candidate in candidates:
        candidate_enroll_in_class(candidate=candidate, party_class=party_class, by=by)
    return len(candidates)


@dataclass(frozen=True)
class ClassResult:
    candidate_id: int
    passed: bool
    certificate_number: str = ""
    certificate_issued_on: datetime.date | None = None


@transaction.atomic
def class_record_results(*, party_class: PartyClass, results: Sequence[ClassResult], by) -> int:
    """Results and certificates (CN-NTVĐ) for a whole class, all or nothing; errors keyed `row-<id>`."""
    enrolments = {
        e.candidate_id: e
        for e in Enrolment.objects.select_related("candidate__person").filter(
            party_class=party_class, candidate_id__in=[r.candidate_id for r in results]
        )
    }
    candidates = {
        c.pk: c for c in Candidate.objects.select_for_update().select_related("person").filter(pk__in=list(enrolments))
    }
    errors: dict[str, list[str]] = {}
    today = _today()
    for r in results:
        key = f"row-{r.candidate_id}"
        candidate = candidates.get(r.candidate_id)
        if candidate is None:
            errors[key] = [_("Người này không học lớp “%(cls)s”.") % {"cls": party_class.name}]
            continue
        if candidate.stage != Stage.TRAINING:
            errors[key] = [_("“%(name)s” không còn ở giai đoạn học lớp.") % {"name": candidate.person.full_name}]
            continue
        if not r.passed:
            continue
        problems = []
        if not r.certificate_number.strip():
            problems.append(_("Thiếu số giấy chứng nhận (CN-NTVĐ)."))
        if r.certificate_issued_on is None:
            problems.append(_("Thiếu ngày cấp giấy chứng nhận."))
        elif r.certificate_issued_on > today:
            problems.append(_("Ngày cấp giấy chứng nhận ở tương lai."))
        elif r.certificate_issued_on < party_class.starts_on:
            problems.append(
                _("Ngày cấp giấy chứng nhận trước ngày khai giảng lớp (%(d)s).")
                % {"d": party_class.starts_on.strftime("%d/%m/%Y")}
            )
        if problems:
            errors[key] = [f"{candidate.person.full_name}: {p}" for p in problems]
    if errors:
        raise StepRefused(errors)
    for r in results:
        enrolment, candidate = enrolments[r.candidate_id], candidates[r.candidate_id]
        enrolment.passed = r.passed
        enrolment.certificate_number = r.certificate_number.strip() if r.passed else ""
        enrolment.certificate_issued_on = r.certificate_issued_on if r.passed else None
        enrolment._history_user = by
        enrolment.save()
        if r.passed:
            _move(candidate, Stage.TRAINED, r.certificate_issued_on, by)
        else:
            _move(candidate, Stage.SOURCE, min(party_class.ends_on, today), by, note=_("Chưa đạt lớp bồi dưỡng"))
    return len(results)


# --- dossier ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntroducerInput:
    member: Member
    known_since: datetime.date
    introduced_on: datetime.date
    is_replacement: bool = False


def _introducer_findings(candidate: Candidate, dossier: Dossier, introducers, vote_date: datetime.date):
    return rules.check_introducers(
        route=dossier.route,
        member_introducers=[
            rules.MemberIntroducer(
                name=i.member.person.full_name,
                is_full_member=i.member.status == MemberStatus.FULL,
                known_since=i.known_since,
                introduced_on=i.introduced_on,
                is_replacement=i.is_replacement,
            )
            for i in introducers
        ],
        candidate_birth_date=candidate.person.date_of_birth,
        vote_date=vote_date,
        youth_union_exists=dossier.youth_union_exists,
        is_youth_union_member=candidate.person.is_youth_union_member,
        agency_or_enterprise=candidate.cell.sector in AGENCY_OR_ENTERPRISE,
    )


DOSSIER_FIELDS = {
    "R04_APPLICATION_AFTER_HISTORY": "personal_history_date",
    "R04_SAME_DAY": "personal_history_date",
    "application_date": "application_date",
    "history_date": "personal_history_date",
    "introduction_date": "introducers",
}


@transaction.atomic
def candidate_submit_dossier(
    *,
    candidate: Candidate,
    application_date: datetime.date,
    personal_history_date: datetime.date,
    route: str,
    introducers: Sequence[IntroducerInput],
    submitted_on: datetime.date,
    youth_union_exists: bool = True,
    body_introduction_date: datetime.date | None = None,
    verification_completed_on: datetime.date | None = None,
    opinions_date: datetime.date | None = None,
    by,
) -> Dossier:
    candidate = _lock(candidate)
    _expect(candidate, Stage.TRAINED)
    if route not in IntroductionRoute.values:
        raise StepRefused({"route": _("Hình thức giới thiệu không hợp lệ.")})
    dossier = Dossier(
        candidate=candidate,
        application_date=application_date,
        personal_history_date=personal_history_date,
        route=route,
        youth_union_exists=youth_union_exists,
        body_introduction_date=body_introduction_date,
        verification_completed_on=verification_completed_on,
        opinions_date=opinions_date,
        submitted_on=submitted_on,
    )
    _full_clean(dossier, exclude=["candidate"])
    for i in introducers:
        if not i.member.is_active:
            raise StepRefused(
                {"introducers": _("“%(name)s” không còn là đảng viên.") % {"name": i.member.person.full_name}}
            )
    findings = rules.check_dates_plausible(
        today=_today(),
        **_dates(candidate, application_date=application_date, history_date=personal_history_date),
    )
    findings += rules.check_application_before_history(
        application_date=application_date, history_date=personal_history_date
    )
    # Acquaintance and status are judged now; the vote re-checks them on its own date.
    findings += _introducer_findings(candidate, dossier, introducers, submitted_on)
    findings = _refuse_if_blocked(findings, {**DOSSIER_FIELDS, **dict.fromkeys(_INTRODUCER_CODES, "introducers")})
    Dossier.objects.filter(candidate=candidate).delete()  # a returned dossier is submitted afresh
    dossier.save()
    Introducer.objects.bulk_create(
        Introducer(
            dossier=dossier,
            member=i.member,
            known_since=i.known_since,
            introduced_on=i.introduced_on,
            is_replacement=i.is_replacement,
        )
        for i in introducers
    )
    _move(candidate, Stage.DOSSIER, submitted_on, by, findings)
    return dossier


_INTRODUCER_CODES = (
    "R05_YOUTH_NOT_UNION_MEMBER",
    "R05_YOUTH_NEEDS_DOAN",
    "R05_NO_DOAN_ORGANISATION",
    "R05_DOAN_INTRODUCES_MEMBERS_ONLY",
    "R05_TRADE_UNION_NOT_ALLOWED",
    "R05_INTRODUCER_COUNT",
    "R05_INTRODUCER_NOT_FULL",
    "R05_INTRODUCER_KNOWN_TOO_SHORT",
)


# --- cell vote ----------------------------------------------------------------------------------

VOTE_FIELDS = {
    "R01_TOO_YOUNG": NON_FIELD_ERRORS,
    "R01_TOO_OLD": "over_age_exception",
    "R01_EXCEPTION_WITHOUT_REFERENCE": "over_age_exception",
    "R02_EDUCATION_TOO_LOW": "education_exception",
    "R02_EXCEPTION_WITHOUT_REFERENCE": "education_exception",
    "R06_VOTE_SHARE": "votes_for",
    "R06_NO_VOTERS": "full_members",
    "R06_VOTES_EXCEED_VOTERS": "votes_for",
    "R06_FIGURES_INVALID": "full_members",
    "resolution_date": "held_on",
}


def full_members_of(cell: Organisation) -> int:
    return Member.objects.filter(cell=cell, status=MemberStatus.FULL).count()


@transaction.atomic
def candidate_record_cell_vote(
    *,
    candidate: Candidate,
    held_on: datetime.date,
    votes_for: int,
    full_members: int,
    absent_exempt: int = 0,
    over_age_exception: str | None = None,
    education_exception: str | None = None,
    by,
) -> CellVote:
    """The cell's vote (6-KNĐ). The exceptions (over 60, hardship-area education) are the references of
    the documents that allow them; they are kept only when the vote is recorded."""
    candidate = _lock(candidate)
    _expect(candidate, Stage.DOSSIER)
    if over_age_exception is not None:
        candidate.over_age_exception = over_age_exception.strip()
    if education_exception is not None:
        candidate.education_exception = education_exception.strip()
    person, dossier = candidate.person, candidate.dossier
    enrolment = _passed_enrolment(candidate)
    introducers = list(dossier.introducers.select_related("member__person"))
    findings = rules.check_dates_plausible(today=_today(), **_dates(candidate, resolution_date=held_on))
    findings += rules.check_age(
        birth_date=person.date_of_birth,
        vote_date=held_on,
        over_age_exception=bool(candidate.over_age_exception),
        exception_reference=candidate.over_age_exception,
    )
    findings += rules.check_education(
        general_education=person.general_education or None,
        hardship_exception=bool(candidate.education_exception),
        exception_reference=candidate.education_exception,
    )
    findings += rules.check_certificate(
        issued_on=enrolment.certificate_issued_on if enrolment else None, vote_date=held_on
    )
    findings += _introducer_findings(candidate, dossier, introducers, held_on)
    findings += rules.check_minimum_full_members(full_members=full_members)
    findings += rules.check_cell_vote(votes_for=votes_for, full_members=full_members, absent_exempt=absent_exempt)
    findings += rules.check_dossier_paper_age(
        vote_date=held_on,
        papers={
            _("Đơn xin vào Đảng"): dossier.application_date,
            _("Lý lịch người xin vào Đảng"): dossier.personal_history_date,
            **{
                _("Giấy giới thiệu của %(name)s") % {"name": i.member.person.full_name}: i.introduced_on
                for i in introducers
            },
        },
    )
    findings = _refuse_if_blocked(findings, VOTE_FIELDS)
    vote = CellVote(
        candidate=candidate,
        held_on=held_on,
        votes_for=votes_for,
        full_members=full_members,
        absent_exempt=absent_exempt,
        created_by=by,
    )
    _full_clean(vote, exclude=["candidate", "created_by"])
    vote._history_user = by
    vote.save()
    _move(candidate, Stage.CELL_RESOLUTION, held_on, by, findings)
    return vote


# --- committee ----------------------------------------------------------------------------------


def needs_committee_approval(candidate: Candidate) -> bool:
    return grassroots_committee_of(candidate.cell) is not None


@transaction.atomic
def candidate_record_committee_approval(
    *, candidate: Candidate, held_on: datetime.date, votes_for: int, committee_members: int, by
) -> CommitteeApproval:
    candidate = _lock(candidate)
    _expect(candidate, Stage.CELL_RESOLUTION)
    committee = grassroots_committee_of(candidate.cell)
    if committee is None:
        raise StepRefused(
            {
                NON_FIELD_ERRORS: _(
                    "Chi bộ “%(cell)s” không trực thuộc đảng ủy cơ sở nào; cấp ủy cấp trên ra quyết định "
                    "kết nạp trực tiếp, không cần bước này."
                )
                % {"cell": candidate.cell.name}
            }
        )
    vote = _latest(candidate.cell_votes)
    findings = rules.check_dates_plausible(
        today=_today(), resolution_date=vote.held_on, committee_approval_date=held_on
    )
    findings += rules.check_committee_approval(votes_for=votes_for, committee_members=committee_members)
    findings = _refuse_if_blocked(
        findings,
        {
            "committee_approval_date": "held_on",
            "R06_COMMITTEE_VOTE_SHARE": "votes_for",
            "R06_COMMITTEE_VOTES_EXCEED_VOTERS": "votes_for",
            "R06_COMMITTEE_FIGURES_INVALID": "committee_members",
        },
    )
    approval = CommitteeApproval.objects.create(
        candidate=candidate,
        committee=committee,
        held_on=held_on,
        votes_for=votes_for,
        committee_members=committee_members,
        created_by=by,
    )
    _move(candidate, Stage.COMMITTEE_REVIEW, held_on, by, findings)
    return approval


@transaction.atomic
def candidate_record_decision(
    *,
    candidate: Candidate,
    number: str,
    decided_on: datetime.date,
    received_on: datetime.date,
    extended: bool = False,
    by,
) -> AdmissionDecision:
    candidate = _lock(candidate)
    committee_needed = needs_committee_approval(candidate)
    _expect(candidate, Stage.COMMITTEE_REVIEW if committee_needed else Stage.CELL_RESOLUTION)
    if not number.strip():
        raise StepRefused({"number": _("Thiếu số quyết định kết nạp (mẫu 9-KNĐ).")})
    vote = _latest(candidate.cell_votes)
    approval = _latest(candidate.committee_approvals) if committee_needed else None
    findings = rules.check_dates_plausible(
        today=_today(),
        resolution_date=vote.held_on,
        committee_approval_date=approval.held_on if approval else None,
        decision_date=decided_on,
        decision_received_date=received_on,
    )
    findings += rules.check_decision_deadline(resolution_date=vote.held_on, decision_date=decided_on, extended=extended)
    findings = _refuse_if_blocked(
        findings,
        {
            "decision_date": "decided_on",
            "decision_received_date": "received_on",
            "R08_DECISION_LATE": "decided_on",
            "R08_DECISION_EXTENDED": "extended",
        },
    )
    decision = AdmissionDecision.objects.create(
        candidate=candidate,
        number=number.strip(),
        decided_on=decided_on,
        received_on=received_on,
        issuing_committee=deciding_committee_of(candidate.cell),
        extended=extended,
        created_by=by,
    )
    _move(candidate, Stage.DECIDED, decided_on, by, findings)
    return decision


@transaction.atomic
def committee_return_dossier(*, candidate: Candidate, on: datetime.date, reason: str, by) -> DossierReturn:
    """The committee sends the dossier back to the cell: one stage back, with the reason on the timeline."""
    candidate = _lock(candidate)
    _expect(candidate, Stage.CELL_RESOLUTION, Stage.COMMITTEE_REVIEW)
    if not reason.strip():
        raise StepRefused({"reason": _("Hãy ghi lý do trả lại hồ sơ để chi bộ biết cần bổ sung gì.")})
    if on > _today():
        raise StepRefused({"on": _("Ngày trả lại hồ sơ ở tương lai.")})
    back = Stage.DOSSIER if candidate.stage == Stage.CELL_RESOLUTION else Stage.CELL_RESOLUTION
    record = DossierReturn.objects.create(
        candidate=candidate, on=on, from_stage=candidate.stage, to_stage=back, reason=reason.strip(), created_by=by
    )
    _move(candidate, back, on, by, note=reason.strip())
    candidate.returned_reason = reason.strip()
    candidate.save(update_fields=["returned_reason"])
    return record


# --- ceremony and probation ---------------------------------------------------------------------


@transaction.atomic
def candidate_record_ceremony(
    *, candidate: Candidate, held_on: datetime.date, superior_consent: str = "", by
) -> Member:
    """The admission ceremony: the person becomes a probationary member, counted from the decision date."""
    candidate = _lock(candidate)
    _expect(candidate, Stage.DECIDED)
    decision = candidate.decision
    findings = rules.check_dates_plausible(
        today=_today(),
        decision_date=decision.decided_on,
        decision_received_date=decision.received_on,
        ceremony_date=held_on,
    )
    findings += rules.check_ceremony_deadline(
        decision_received_date=decision.received_on, ceremony_date=held_on, superior_consent=bool(superior_consent)
    )
    findings = _refuse_if_blocked(findings, {"ceremony_date": "held_on", "R09_CEREMONY_LATE": "superior_consent"})
    Ceremony.objects.create(candidate=candidate, held_on=held_on, superior_consent=superior_consent, created_by=by)
    member = Member(
        person=candidate.person,
        cell=candidate.cell,
        status=MemberStatus.PROBATIONARY,
        admission_decision_date=decision.decided_on,
        ceremony_date=held_on,
    )
    member._history_user = by
    member.save()
    # Party age and the quota count both start at the decision, so the roll does too.
    MemberMovement.objects.create(
        member=member, kind=MovementKind.ADMITTED, date=decision.decided_on, organisation=candidate.cell
    )
    candidate.member = member
    _move(candidate, Stage.PROBATIONARY, held_on, by, findings)
    return member


@transaction.atomic
def member_recognise_full(*, member: Member, meeting_on: datetime.date, decision_number: str, by) -> Member:
    """Recognition as a full member; effective at the end of the 12 months even when the meeting is late."""
    candidate = _lock(member.candidate)
    _expect(candidate, Stage.PROBATIONARY)
    if not decision_number.strip():
        raise StepRefused({"decision_number": _("Thiếu số quyết định công nhận đảng viên chính thức.")})
    ceremony = candidate.ceremony
    findings = rules.check_dates_plausible(today=_today(), ceremony_date=ceremony.held_on, recognition_date=meeting_on)
    findings += rules.check_probation_completed(ceremony_date=ceremony.held_on, recognition_date=meeting_on)
    findings += rules.check_recognition_deadline(ceremony_date=ceremony.held_on, recognition_date=meeting_on)
    findings = _refuse_if_blocked(findings, {"recognition_date": "meeting_on", "R10_PROBATION_NOT_OVER": "meeting_on"})
    effective = rules.full_member_effective_date(ceremony.held_on)
    Recognition.objects.create(
        candidate=candidate,
        meeting_on=meeting_on,
        decision_number=decision_number.strip(),
        effective_on=effective,
        created_by=by,
    )
    member = Member.objects.select_for_update().get(pk=member.pk)
    member.status = MemberStatus.FULL
    member.recognition_date = effective
    member._history_user = by
    member.save()
    _move(candidate, Stage.FULL, meeting_on, by, findings)
    return member


# --- exits --------------------------------------------------------------------------------------


@transaction.atomic
def candidate_exit(*, candidate: Candidate, kind: str, on: datetime.date, reason: str, by) -> Exit:
    """Withdraw (moved away, stopped), reject (a vote or decision said no) or strike off (xóa tên)."""
    candidate = _lock(candidate)
    allowed = EXITS_FROM.get(candidate.stage, ())
    if kind not in allowed:
        raise StepRefused(
            {
                "kind": _("Ở giai đoạn “%(stage)s” không thể chọn “%(kind)s”.")
                % {"stage": Stage(candidate.stage).label, "kind": Stage(kind).label}
            }
        )
    if not reason.strip():
        raise StepRefused({"reason": _("Hãy ghi lý do.")})
    if on > _today():
        raise StepRefused({"on": _("Ngày %(d)s ở tương lai.") % {"d": on.strftime("%d/%m/%Y")}})
    if on < candidate.stage_entered_on:
        raise StepRefused(
            {
                "on": _("Ngày %(d)s trước ngày vào giai đoạn hiện tại (%(s)s).")
                % {"d": on.strftime("%d/%m/%Y"), "s": candidate.stage_entered_on.strftime("%d/%m/%Y")}
            }
        )
    record = Exit.objects.create(
        candidate=candidate, kind=kind, on=on, from_stage=candidate.stage, reason=reason.strip(), created_by=by
    )
    if kind == Stage.STRUCK_OFF:
        member_services.member_record_exit(member=candidate.member, kind=MovementKind.STRUCK_OFF, on=on, note=reason)
    _move(candidate, kind, on, by, note=reason.strip())
    return record


def candidate_withdraw(*, candidate: Candidate, on: datetime.date, reason: str, by) -> Exit:
    return candidate_exit(candidate=candidate, kind=Stage.WITHDRAWN, on=on, reason=reason, by=by)


def candidate_reject(*, candidate: Candidate, on: datetime.date, reason: str, by) -> Exit:
    return candidate_exit(candidate=candidate, kind=Stage.REJECTED, on=on, reason=reason, by=by)


def member_strike_off(*, candidate: Candidate, on: datetime.date, reason: str, by) -> Exit:
    return candidate_exit(candidate=candidate, kind=Stage.STRUCK_OFF, on=on, reason=reason, by=by)


__all__ = [
    "OPEN_STAGES",
    "ClassResult",
    "IntroducerInput",
    "StepRefused",
]


# --- background verification ---------------------------------------------------------------------


@transaction.atomic
def verification_request_create(
    *, candidate: Candidate, sent_to: str, sent_on: datetime.date, reply_due_on: datetime.date, by
) -> VerificationRequest:
    """A request for background verification (thẩm tra lý lịch) sent to another organisation or place."""
    if candidate.stage not in OPEN_STAGES:
        raise StepRefused({NON_FIELD_ERRORS: _("Người này không còn trong quy trình kết nạp.")})
    if reply_due_on < sent_on:
        raise StepRefused({"reply_due_on": _("Hạn trả lời không thể trước ngày gửi.")})
    request = VerificationRequest(
        candidate=candidate, sent_to=sent_to.strip(), sent_on=sent_on, reply_due_on=reply_due_on
    )
    _full_clean(request, exclude=["candidate"])
    request._history_user = by
    request.save()
    return request


@transaction.atomic
def verification_request_record_reply(
    *, request: VerificationRequest, replied_on: datetime.date, reply: str, by
) -> VerificationRequest:
    request = VerificationRequest.objects.select_for_update().get(pk=request.pk)
    if replied_on < request.sent_on:
        raise StepRefused(
            {
                "replied_on": _("Ngày trả lời không thể trước ngày gửi (%(d)s).")
                % {"d": request.sent_on.strftime("%d/%m/%Y")}
            }
        )
    request.replied_on = replied_on
    request.reply = reply.strip()
    _full_clean(request)
    request._history_user = by
    request.save()
    return request
