"""The votes: the cell's (6-KNĐ) and, where there is one, the grassroots committee's approval (8-KNĐ)."""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.utils.translation import gettext as _

from members.models import Member, Organisation
from members.structure import grassroots_committee_of
from members.vocabulary import MemberStatus

from .. import rules
from ..models import Candidate, CellVote, CommitteeApproval
from ..vocabulary import Stage
from .dossier import introducer_findings
from .records import dates_on_record, latest_held, local_today, lock_candidate, move_to, passed_enrolment
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
) -> list:
    """Every rule the cell's vote runs, on records already in hand (the import's bulk path passes its own)."""
    person = candidate.person
    findings = rules.check_dates_plausible(
        today=today, **dates_on_record(candidate, enrolment=enrolment, dossier=dossier, resolution_date=held_on)
    )
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
    return findings


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
    candidate = lock_candidate(candidate)
    expect_stage(candidate, Stage.DOSSIER)
    if over_age_exception is not None:
        candidate.over_age_exception = over_age_exception.strip()
    if education_exception is not None:
        candidate.education_exception = education_exception.strip()
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
    )
    findings = refuse_if_blocked(findings, VOTE_FIELDS)
    vote = CellVote(
        candidate=candidate,
        held_on=held_on,
        votes_for=votes_for,
        full_members=full_members,
        absent_exempt=absent_exempt,
        created_by=by,
    )
    full_clean_or_refuse(vote, exclude=["candidate", "created_by"])
    vote._history_user = by
    vote.save()
    move_to(candidate, Stage.CELL_RESOLUTION, held_on, by, findings)
    return vote


def needs_committee_approval(candidate: Candidate) -> bool:
    return grassroots_committee_of(candidate.cell) is not None


def committee_findings(
    *, vote_held_on: datetime.date, held_on: datetime.date, votes_for: int, committee_members: int, today
) -> list:
    findings = rules.check_dates_plausible(today=today, resolution_date=vote_held_on, committee_approval_date=held_on)
    findings += rules.check_committee_approval(votes_for=votes_for, committee_members=committee_members)
    return findings


@transaction.atomic
def candidate_record_committee_approval(
    *, candidate: Candidate, held_on: datetime.date, votes_for: int, committee_members: int, by
) -> CommitteeApproval:
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
    findings = committee_findings(
        vote_held_on=vote.held_on,
        held_on=held_on,
        votes_for=votes_for,
        committee_members=committee_members,
        today=local_today(),
    )
    findings = refuse_if_blocked(
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
    move_to(candidate, Stage.COMMITTEE_REVIEW, held_on, by, findings)
    return approval
