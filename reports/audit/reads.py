"""The log of sensitive fields shown (partyhub/audit.py announces them; one INSERT per page or file)."""

from partyhub import audit

from ..models import SensitiveRead

FIELD_LABELS = {
    audit.CITIZEN_ID: "Số CCCD",
    audit.ETHNICITY: "Dân tộc",
    audit.RELIGION: "Tôn giáo",
    audit.VERIFICATION: "Thẩm tra lý lịch",
}


def record_sensitive_read(user, *, fields, where, people=(), organisation=None, count=None) -> None:
    people = sorted(set(people))
    SensitiveRead.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        where=where[:100],
        fields=",".join(fields)[:200],
        people="".join(f",{pk}" for pk in people) + ("," if people else ""),
        organisation=organisation,
        count=count if count is not None else len(people),
    )
