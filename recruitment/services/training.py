"""The party-awareness class: opening it, sending people to it, and the results of a whole class."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from members.models import Organisation

from .. import rules
from ..models import Candidate, Enrolment, PartyClass
from ..vocabulary import Stage
from .records import local_today, lock_candidate, move_to, timeline_dates
from .refusals import StepRefused, expect_stage, full_clean_or_refuse, refuse_if_blocked


def enrolment_findings(candidate: Candidate, party_class: PartyClass) -> list:
    """Rule 15 for sending the candidate to a class: proposed by the day it starts."""
    dates = timeline_dates(candidate)
    dates |= {"class_start_date": party_class.starts_on, "class_end_date": party_class.ends_on}
    return rules.chronology_findings(dates)


def certificate_findings(candidate: Candidate, party_class: PartyClass, issued_on: datetime.date) -> list:
    """Rule 15 for a class's certificate: issued once the class has ended, after the proposal."""
    dates = timeline_dates(candidate)
    dates |= {
        "class_start_date": party_class.starts_on,
        "class_end_date": party_class.ends_on,
        "certificate_date": issued_on,
    }
    return rules.chronology_findings(dates)


@transaction.atomic
def class_create(
    *, organiser: Organisation, name: str, starts_on: datetime.date, ends_on: datetime.date, place: str = "", by
) -> PartyClass:
    if ends_on < starts_on:
        raise StepRefused({"ends_on": _("Ngày bế giảng không thể trước ngày khai giảng.")})
    party_class = PartyClass(organiser=organiser, name=name, starts_on=starts_on, ends_on=ends_on, place=place)
    full_clean_or_refuse(party_class)
    party_class._history_user = by
    party_class.save()
    return party_class


@transaction.atomic
def candidate_enroll_in_class(*, candidate: Candidate, party_class: PartyClass, by) -> Enrolment:
    candidate = lock_candidate(candidate)
    expect_stage(candidate, Stage.SOURCE)
    if not candidate.cell.path.startswith(party_class.organiser.path):
        raise StepRefused(
            {
                "party_class": _("Lớp “%(cls)s” do đơn vị khác tổ chức; chỉ cử người của đơn vị mình.")
                % {"cls": party_class.name}
            }
        )
    refuse_if_blocked(enrolment_findings(candidate, party_class), {"class_start_date": "party_class"})
    enrolment, _created = Enrolment.objects.get_or_create(party_class=party_class, candidate=candidate)
    move_to(candidate, Stage.TRAINING, min(party_class.starts_on, local_today()), by)
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
    today = local_today()
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
        else:
            problems += [
                f.message for f in certificate_findings(candidate, party_class, r.certificate_issued_on) if f.blocks
            ]
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
            move_to(candidate, Stage.TRAINED, r.certificate_issued_on, by)
        else:
            move_to(candidate, Stage.SOURCE, min(party_class.ends_on, today), by, note=_("Chưa đạt lớp bồi dưỡng"))
    return len(results)
