"""A correction as the timeline shows it: each changed field's label, before and after, readable.

Ethnicity, religion and the citizen ID are shown only to the sensitive-data roles: for anyone else
the row says that the field changed, without its values.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from members.models import Person

from .. import permissions
from ..models import Candidate, Correction, DossierReturn, Exit
from ..services.corrections import DETAILS, SENSITIVE_FIELDS, STEP_MODELS, kind_label, latest_step
from ..vocabulary import Stage

HIDDEN = "•••"


@dataclass(frozen=True)
class Row:
    label: str
    before: str
    after: str
    hidden: bool = False


def _models_of(kind: str) -> tuple:
    if kind == DETAILS:
        return (Person, Candidate)
    if kind == "return":
        return (DossierReturn,)
    if kind in ("withdraw", "reject"):
        return (Exit,)
    return tuple(m for m in (STEP_MODELS.get(kind),) if m is not None)


def _field(models, name):
    for model in models:
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def _text(field, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, dict):
        return str(value.get("text", ""))
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


def rows(correction: Correction, may_see_sensitive: bool) -> list[Row]:
    models = _models_of(correction.kind)
    names = list(dict.fromkeys([*correction.before, *correction.after]))
    result = []
    for name in names:
        field = _field(models, name)
        if name == "stage":
            label = _("Giai đoạn")
            field = Candidate._meta.get_field("stage")
        elif name == "passed":
            label = _("Kết quả lớp")
        else:
            label = capfirst(field.verbose_name) if field is not None else name
        before, after = correction.before.get(name), correction.after.get(name)
        if name in SENSITIVE_FIELDS and correction.kind == DETAILS and not may_see_sensitive:
            result.append(Row(str(label), HIDDEN, HIDDEN, hidden=True))
            continue
        if name == "stage":
            before = Stage(before).label if before else before
            after = Stage(after).label if after else after
        result.append(Row(str(label), _text(field, before), _text(field, after)))
    return result


def title(correction: Correction) -> str:
    kind = kind_label(correction.kind)
    if correction.action == Correction.Action.UNDO:
        return _("Hoàn tác “%(kind)s”") % {"kind": kind}
    return _("Sửa “%(kind)s”") % {"kind": kind}


# The timeline's event kinds (selectors.pipeline) and the step a correction of each changes.
EVENT_STEPS = {
    "class": "enrol",
    "certificate": "certificate",
    "dossier": "dossier",
    "vote": "cell-vote",
    "approval": "committee-approval",
    "decision": "decision",
    "ceremony": "ceremony",
    "recognition": "recognition",
}


def timeline_links(user, file) -> dict:
    """What the candidate page offers to correct: a link on each event whose record is the one in
    effect, if the user may record its step, and the latest step to undo (or None)."""
    candidate, cell = file.candidate, file.candidate.cell
    in_effect = {}
    for e in file.timeline:  # in date order: the last of each kind is the one in effect
        if e.kind in EVENT_STEPS:
            in_effect[e.kind] = e
    for kind, e in in_effect.items():
        step = EVENT_STEPS[kind]
        if kind == "class" and (e.record.passed is not None or candidate.stage != "training"):
            continue
        if permissions.can_correct(user, step, cell):
            e.extra["correct_url"] = reverse("recruitment:candidate_correct", args=[candidate.pk, step])
    if permissions.can_correct(user, "verification", cell):
        for e in file.timeline:
            if e.kind == "verification":
                e.extra["correct_url"] = reverse("recruitment:verification_correct", args=[e.record.pk])
    latest = latest_step(candidate, entries=file.stage_entries)
    may_undo = (
        latest is not None
        and latest.undoable
        and latest.kind != "strike-off"
        and permissions.can_correct(user, latest.kind, cell)
    )
    return {
        "latest_step": latest if may_undo else None,
        "can_edit_details": permissions.can_correct(user, DETAILS, cell),
    }
