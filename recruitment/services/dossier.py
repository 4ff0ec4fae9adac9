"""The dossier: application, personal history and the introducers, checked against the rules."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from members.models import Member
from members.vocabulary import MemberStatus, Sector

from .. import rules
from ..models import Candidate, Dossier, Introducer
from ..rules import IntroductionRoute
from ..vocabulary import Stage
from .records import ON_RECORD, local_today, lock_candidate, move_to, timeline_on_record
from .refusals import StepRefused, expect_stage, full_clean_or_refuse, refuse_if_blocked

AGENCY_OR_ENTERPRISE = {
    Sector.AGENCY,
    Sector.PUBLIC_SERVICE,
    Sector.STATE_ENTERPRISE,
    Sector.NON_STATE_ENTERPRISE,
}


@dataclass(frozen=True)
class IntroducerInput:
    member: Member
    known_since: datetime.date
    introduced_on: datetime.date
    is_replacement: bool = False


def introducer_findings(candidate: Candidate, dossier: Dossier, introducers, vote_date: datetime.date):
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
    "dossier_submitted_date": "submitted_on",
    "body_introduction_date": "body_introduction_date",
    "opinions_date": "opinions_date",
    "verification_completed_date": "verification_completed_on",
    "R15_VERIFICATION_UNANSWERED": "verification_completed_on",
}


INTRODUCER_CODES = (
    "R05_YOUTH_NOT_UNION_MEMBER",
    "R05_YOUTH_NEEDS_DOAN",
    "R05_NO_DOAN_ORGANISATION",
    "R05_DOAN_INTRODUCES_MEMBERS_ONLY",
    "R05_TRADE_UNION_NOT_ALLOWED",
    "R05_INTRODUCER_COUNT",
    "R05_INTRODUCER_NOT_FULL",
    "R05_INTRODUCER_KNOWN_TOO_SHORT",
)


def dossier_findings(
    candidate: Candidate, dossier: Dossier, introducers, *, today: datetime.date, enrolment=ON_RECORD
) -> list:
    """Every rule the dossier runs (`enrolment`: the passed one, read from the database unless given)."""
    dates = timeline_on_record(candidate, before="vote", enrolment=enrolment, dossier=dossier, introducers=introducers)
    findings = rules.check_dates_in_future(
        today=today,
        dates={
            "application_date": dossier.application_date,
            "history_date": dossier.personal_history_date,
            "dossier_submitted_date": dossier.submitted_on,
        },
    )
    # An application after the history is rule 4's, in its words.
    findings += [
        f
        for f in rules.chronology_findings(dates)
        if (f.figures.get("field"), f.figures.get("must_not_precede")) != ("history_date", "application_date")
    ]
    findings += rules.check_application_before_history(
        application_date=dossier.application_date, history_date=dossier.personal_history_date
    )
    # Acquaintance and status are judged now; the vote re-checks them on its own date.
    findings += introducer_findings(candidate, dossier, introducers, dossier.submitted_on)
    return findings


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
    candidate = lock_candidate(candidate)
    expect_stage(candidate, Stage.TRAINED)
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
    full_clean_or_refuse(dossier, exclude=["candidate"])
    for i in introducers:
        if not i.member.is_active:
            raise StepRefused(
                {"introducers": _("“%(name)s” không còn là đảng viên.") % {"name": i.member.person.full_name}}
            )
    findings = dossier_findings(candidate, dossier, introducers, today=local_today())
    findings = refuse_if_blocked(findings, {**DOSSIER_FIELDS, **dict.fromkeys(INTRODUCER_CODES, "introducers")})
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
    move_to(candidate, Stage.DOSSIER, submitted_on, by, findings)
    return dossier
