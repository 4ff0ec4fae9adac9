"""The votes: the cell's (6-KNĐ) and, where there is one, the grassroots committee's approval (8-KNĐ)."""

import datetime
from collections.abc import Sequence

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.utils.translation import gettext as _

from members.models import Member, Organisation
from members.selectors import full_members_on
from members.structure import grassroots_committee_of
from members.vocabulary import MemberStatus

from .. import rules
from ..models import Candidate, CellVote, CommitteeApproval
from ..vocabulary import Stage
from .dossier import introducer_findings
from .records import latest_held, local_today, lock_candidate, move_to, passed_enrolment, timeline_on_record
from .refusals import StepRefused, expect_stage, full_clean_or_refuse, refuse_if_blocked

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
    "R06_BASE_DIFFERS_FROM_ROLL": "base_reason",
    "resolution_date": "held_on",
}


def full_members_of(cell: Organisation) -> int:
    return Member.objects.filter(cell=cell, status=MemberStatus.FULL).count()


def cell_vote_findings(
    candidate: Candidate,
    dossier,
    enrolment,
    introducers,
    *,
    held_on: datetime.date,
    votes_for: int,
    full_members: int,
    absent_exempt: int,
    today: datetime.date,
    roll_full_members: int | None = None,
    named_absent: int = 0,
    base_reason: str = "",
    on_record=None,
) -> list:
    """Every rule the cell's vote runs, on records already in hand (the import's bulk path passes its own).

    `roll_full_members`: the full members on the roll on the day (`members.selectors.full_members_on`),
    `named_absent` those marked absent by name; None skips the roll (figures recorded before it was kept).
    `on_record`: the timeline's dates before the vote (`records.timeline_on_record`), read unless given."""
    person = candidate.person
    if on_record is None:
        on_record = timeline_on_record(
            candidate, before="vote", enrolment=enrolment, dossier=dossier, introducers=introducers
        )
    dates = {**on_record, "resolution_date": held_on}
    findings = rules.check_dates_in_future(today=today, dates={"resolution_date": held_on})
    findings += rules.chronology_findings(dates)
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
    findings += introducer_findings(candidate, dossier, introducers, held_on)
    if roll_full_members is not None:
        findings += rules.check_vote_roll(
            vote_date=held_on,
            full_members=full_members,
            absent_exempt=absent_exempt,
            roll_full_members=roll_full_members,
            named_absent=named_absent,
            reason=base_reason,
        )
    findings += rules.check_minimum_full_members(full_members=full_members)
    findings += rules.check_cell_vote(votes_for=votes_for, full_members=full_members, absent_exempt=absent_exempt)
    paper_age = rules.check_dossier_paper_age(
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
    # A paper dated after the vote is the chronology's (rule 15), named there with both dates.
    findings += [f for f in paper_age if f.code != "DATE_ORDER"]
    return findings


def vote_roll(cell: Organisation, held_on: datetime.date) -> list[Member]:
    """The full members of the cell on the day of its vote, by name (rule 6's base before absences)."""
    return full_members_on(cell=cell, day=held_on)


@transaction.atomic
def candidate_record_cell_vote(
    *,
    candidate: Candidate,
    held_on: datetime.date,
    votes_for: int,
    full_members: int | None = None,
    absent_members: Sequence[Member] = (),
    absent_exempt: int | None = None,
    base_reason: str = "",
    over_age_exception: str | None = None,
    education_exception: str | None = None,
    check_roll: bool = True,
    by,
) -> CellVote:
    """The cell's vote (6-KNĐ). The roll decides the base (rule 6, docs/domain.md §3.3): the cell's
    full members on `held_on`, minus `absent_members`, those of them the secretary marks by name as
    absent on work or exempted from activity. `full_members` and `absent_exempt` are the minutes'
    figures (the roll's when not given); figures that differ from the roll need `base_reason` and are
    kept as an exception. `check_roll=False` (the import: its movements sheet, which completes the
    rolls, is applied after the candidates sheet) takes the minutes' figures as given and keeps no roll
    figure. The exceptions (over 60, hardship-area education) are the references of
    the documents that allow them; they are kept only when the vote is recorded."""
    candidate = lock_candidate(candidate)
    expect_stage(candidate, Stage.DOSSIER)
    if over_age_exception is not None:
        candidate.over_age_exception = over_age_exception.strip()
    if education_exception is not None:
        candidate.education_exception = education_exception.strip()
    roll = vote_roll(candidate.cell, held_on) if check_roll else None
    on_roll = {m.pk for m in roll or ()}
    absent = list({m.pk: m for m in absent_members}.values())
    strangers = [m for m in absent if m.pk not in on_roll] if check_roll else []
    if strangers:
        raise StepRefused(
            {
                "absent_members": _(
                    "%(names)s không phải đảng viên chính thức của chi bộ “%(cell)s” ngày %(day)s, không thể trừ "
                    "khỏi tổng số."
                )
                % {
                    "names": ", ".join(m.person.full_name for m in strangers),
                    "cell": candidate.cell.name,
                    "day": held_on.strftime("%d/%m/%Y"),
                }
            }
        )
    if full_members is None:
        if roll is None:
            raise StepRefused({"full_members": _("Thiếu tổng số đảng viên chính thức của chi bộ.")})
        full_members = len(roll)
    absent_exempt = len(absent) if absent_exempt is None else absent_exempt
    dossier = candidate.dossier
    findings = cell_vote_findings(
        candidate,
        dossier,
        passed_enrolment(candidate),
        list(dossier.introducers.select_related("member__person")),
        held_on=held_on,
        votes_for=votes_for,
        full_members=full_members,
        absent_exempt=absent_exempt,
        today=local_today(),
        roll_full_members=len(roll) if roll is not None else None,
        named_absent=len(absent),
        base_reason=base_reason,
    )
    findings = refuse_if_blocked(findings, VOTE_FIELDS)
    differs = roll is None or full_members != len(roll) or absent_exempt != len(absent)
    vote = CellVote(
        candidate=candidate,
        held_on=held_on,
        votes_for=votes_for,
        full_members=full_members,
        absent_exempt=absent_exempt,
        roll_full_members=len(roll) if roll is not None else None,
        base_reason=base_reason.strip() if differs else "",
        created_by=by,
    )
    full_clean_or_refuse(vote, exclude=["candidate", "created_by"])
    vote._history_user = by
    vote.save()
    vote.absent_members.set(absent)
    move_to(candidate, Stage.CELL_RESOLUTION, held_on, by, findings)
    return vote


def needs_committee_approval(candidate: Candidate) -> bool:
    return grassroots_committee_of(candidate.cell) is not None


def committee_findings(
    *,
    vote_held_on: datetime.date,
    held_on: datetime.date,
    votes_for: int,
    committee_members: int,
    today,
    on_record=None,
    reference: tuple[int, datetime.date] | None = None,
    base_reason: str = "",
) -> list:
    """`on_record`: the timeline's dates before the approval (else only the vote's); `reference`: the
    committee's figure and date of its latest earlier approval (`committee_reference`)."""
    dates = {**(on_record or {}), "resolution_date": vote_held_on, "committee_approval_date": held_on}
    findings = rules.check_dates_in_future(today=today, dates={"committee_approval_date": held_on})
    findings += rules.chronology_findings(dates)
    findings += rules.check_committee_roll(
        approval_date=held_on,
        committee_members=committee_members,
        reference_members=reference[0] if reference else None,
        reference_date=reference[1] if reference else None,
        reason=base_reason,
    )
    findings += rules.check_committee_approval(votes_for=votes_for, committee_members=committee_members)
    return findings


def committee_reference(committee: Organisation, held_on: datetime.date) -> tuple[int, datetime.date] | None:
    """The committee's size as its latest approval on or before `held_on` recorded it: PartyHub keeps
    no roll of committee members (members/models.py records users' roles, not the executive)."""
    latest = (
        CommitteeApproval.objects.filter(committee=committee, held_on__lte=held_on)
        .order_by("-held_on", "-pk")
        .values_list("committee_members", "held_on")
        .first()
    )
    return (latest[0], latest[1]) if latest else None


@transaction.atomic
def candidate_record_committee_approval(
    *,
    candidate: Candidate,
    held_on: datetime.date,
    votes_for: int,
    committee_members: int,
    base_reason: str = "",
    by,
) -> CommitteeApproval:
    """The grassroots committee's approval (8-KNĐ): a figure of committee members other than the
    committee's latest approval's needs `base_reason` and is kept as an exception."""
    candidate = lock_candidate(candidate)
    expect_stage(candidate, Stage.CELL_RESOLUTION)
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
    vote = latest_held(candidate.cell_votes)
    reference = committee_reference(committee, held_on)
    findings = committee_findings(
        vote_held_on=vote.held_on,
        held_on=held_on,
        votes_for=votes_for,
        committee_members=committee_members,
        today=local_today(),
        on_record=timeline_on_record(candidate, before="approval"),
        reference=reference,
        base_reason=base_reason,
    )
    findings = refuse_if_blocked(
        findings,
        {
            "committee_approval_date": "held_on",
            "R06_COMMITTEE_VOTE_SHARE": "votes_for",
            "R06_COMMITTEE_VOTES_EXCEED_VOTERS": "votes_for",
            "R06_COMMITTEE_FIGURES_INVALID": "committee_members",
            "R06_COMMITTEE_BASE_DIFFERS": "base_reason",
        },
    )
    differs = reference is not None and reference[0] != committee_members
    approval = CommitteeApproval.objects.create(
        candidate=candidate,
        committee=committee,
        held_on=held_on,
        votes_for=votes_for,
        committee_members=committee_members,
        reference_committee_members=reference[0] if reference else None,
        base_reason=base_reason.strip() if differs else "",
        created_by=by,
    )
    move_to(candidate, Stage.COMMITTEE_REVIEW, held_on, by, findings)
    return approval
