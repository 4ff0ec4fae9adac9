"""How a step says no: `StepRefused`, keyed by the form's field names and carrying the findings.

A step refuses when the candidate is not in the stage it starts from (`expect_stage`), when a rule
blocks (`refuse_if_blocked`, which keys each blocking finding by the field to change) or when the
model's own validation fails (`full_clean_or_refuse`).
"""

from collections.abc import Iterable, Sequence

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from .. import rules
from ..models import Candidate
from ..rules import Finding
from ..vocabulary import Stage


class StepRefused(ValidationError):
    """A step the rules forbid. `findings` keeps every finding (blocking and not) for the page."""

    def __init__(self, errors, findings: Sequence[Finding] = ()):
        super().__init__(errors)
        self.findings = list(findings)


def expect_stage(candidate: Candidate, *stages: str) -> None:
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


def refuse_if_blocked(findings: Iterable[Finding], field_for: dict[str, str]) -> list[Finding]:
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


def full_clean_or_refuse(obj, exclude: Sequence[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as error:
        raise StepRefused(error.message_dict) from None
