"""The log of sensitive fields shown (partyhub/audit.py announces them; one INSERT per page or file)."""

from django.utils.translation import gettext_lazy as _

from members.models import Person
from partyhub import audit

from ..models import SensitiveRead

FIELD_LABELS = {
    audit.CITIZEN_ID: _("Số CCCD"),
    audit.ETHNICITY: _("Dân tộc"),
    audit.RELIGION: _("Tôn giáo"),
    audit.VERIFICATION: _("Thẩm tra lý lịch"),
}
WHERE_LABELS = {
    "member_page": _("Trang đảng viên"),
    "candidate_page": _("Trang quần chúng"),
    "import_format_xlsx": _("Tệp dữ liệu theo mẫu nhập (du-lieu.xlsx)"),
    "reconcile_page": _("Đối chiếu với CSDL đảng viên"),
    "upward_xlsx": _("Danh sách kết nạp, công nhận gửi cấp trên (.xlsx)"),
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


def complete(reads: list[SensitiveRead]) -> list[SensitiveRead]:
    """The page's reads with the labels of their fields and place, and the names of the people (one query)."""
    ids = {pk for read in reads for pk in read.person_ids}
    names = dict(Person.objects.filter(pk__in=ids).values_list("pk", "full_name")) if ids else {}
    for read in reads:
        read.where_label = WHERE_LABELS.get(read.where, read.where)
        read.field_labels = [str(FIELD_LABELS.get(f, f)) for f in read.field_list]
        read.people_named = [(pk, names.get(pk, f"#{pk}")) for pk in read.person_ids]
    return reads
