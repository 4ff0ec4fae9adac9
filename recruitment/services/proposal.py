"""The source: an outstanding person (quần chúng ưu tú) proposed to a cell."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from members import services as member_services
from members.models import Member, Organisation, Person
from members.vocabulary import CELL_LEVELS
from partyhub.figures import figures_changed

from ..models import Candidate, StageEntry
from ..vocabulary import Stage
from .refusals import StepRefused, full_clean_or_refuse


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
    if person is not None:
        if hasattr(person, "member") and person.member.is_active:
            raise StepRefused({"person": _("“%(name)s” đã là đảng viên.") % {"name": person.full_name}})
        if Candidate.objects.filter(person=person).exists():
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
    full_clean_or_refuse(candidate, exclude=["person"])
    if person is None:
        # A new person last, once nothing else refuses: their citizen ID's uniqueness is then the only
        # refusal left, so a caller can answer it in the user's terms (recruitment/forms/proposal.py)
        # without another refusal telling apart an ID on file from a fresh one.
        candidate.person = member_services.person_create(**(person_fields or {}))
    candidate._history_user = by
    candidate.save()
    StageEntry.objects.create(candidate=candidate, stage=Stage.SOURCE, entered_on=proposed_on, created_by=by)
    figures_changed(cell)
    return candidate
