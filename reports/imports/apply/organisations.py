"""Rows of the organisations sheet: create or rename units, then dissolve or merge them."""

from django.core.exceptions import ValidationError

from members import services as member_services
from members.models import Organisation

from .context import *  # noqa: F403
from .context import (
    RULE_SCOPE,
    RULE_TREE,
    RULE_UNIQUE_CODE,
    Context,
    refusal,
    refuse,
)

ORG_FIELDS = {
    "code": "code",
    "name": "name",
    "level": "level",
    "sector": "sector",
    "parent": "parent_code",
    "founded_on": "founded_on",
    "*": "code",
}


def apply_organisation(ctx: Context, values: dict, row: int) -> str:
    code = values["code"]
    existing = ctx.orgs.get(code)
    if existing is not None:
        return _update_organisation(ctx, existing, values)
    parent = None
    if values.get("parent_code"):
        parent = ctx.org(values["parent_code"], "parent_code")
    elif ctx.roots is not None:
        refuse(
            "parent_code", "Chỉ quản trị viên mới tạo được tổ chức cao nhất; hãy ghi mã tổ chức cấp trên.", RULE_SCOPE
        )
    try:
        org = member_services.organisation_create(
            code=code,
            name=values["name"],
            level=values["level"],
            parent=parent,
            sector=values.get("sector") or "",
            founded_on=values.get("founded_on"),
        )
    except ValidationError as error:
        raise refusal(error, ORG_FIELDS, "code", RULE_TREE) from None
    ctx.orgs[code] = org
    if parent is not None:
        parent.refresh_from_db()  # treebeard counts children on the parent row
    return "created"


def _update_organisation(ctx: Context, org: Organisation, values: dict) -> str:
    if not ctx.sees(org.path):
        # A unit code is unique: a new unit cannot take it. Nothing about that unit is told, only this.
        refuse(
            "code",
            f"Mã tổ chức “{org.code}” đã được dùng ngoài phạm vi bạn quản lý; hãy dùng mã khác.",
            RULE_UNIQUE_CODE,
        )
    if not ctx.in_scope(org.path):
        refuse("code", f"Tổ chức mã “{org.code}” nằm ngoài phạm vi đơn vị của trang nhập này.", RULE_SCOPE)
    if org.level != values["level"]:
        refuse("level", f"“{org.name}” đã có với cấp “{org.get_level_display()}”; không đổi cấp khi nhập.", RULE_TREE)
    parent = Organisation.objects.filter(path=org.path[: -Organisation.steplen]).first() if org.depth > 1 else None
    if (parent.code if parent else None) != values.get("parent_code") and (parent or values.get("parent_code")):
        # The parent of the uploader's own top unit lies outside what they see: its code only (the
        # export of the unit writes it too), never its name.
        above = "—" if parent is None else parent.name if ctx.sees(parent.path) else f"tổ chức mã {parent.code}"
        refuse(
            "parent_code",
            f"“{org.name}” đã thuộc “{above}”; tổ chức không chuyển cấp trên khi nhập "
            "(hãy sáp nhập hoặc giải thể rồi lập tổ chức mới).",
            RULE_TREE,
        )
    changed = []
    if org.name != values["name"]:
        changed.append("name")
    if (values.get("sector") or "") != org.sector:
        changed.append("sector")
    if changed:
        org.name, org.sector = values["name"], values.get("sector") or ""
        org.full_clean(exclude=["path", "depth", "numchild", "code"])
        org.save(update_fields=changed)
        return "updated"
    return "unchanged"


def apply_dissolution(ctx: Context, values: dict, row: int) -> bool:
    """Dissolve or merge, after every organisation of the file exists; True when something changed."""
    org = ctx.org(values["code"], "code")
    on = values["dissolved_on"]
    into = ctx.org(values["merged_into_code"], "merged_into_code") if values.get("merged_into_code") else None
    if org.dissolved_on is not None:
        if org.dissolved_on == on and (org.merged_into_id or None) == (into.pk if into else None):
            return False
        refuse("dissolved_on", f"“{org.name}” đã giải thể / sáp nhập ngày {org.dissolved_on:%d/%m/%Y}.", RULE_TREE)
    if on > ctx.today:
        refuse("dissolved_on", f"Ngày {on:%d/%m/%Y} ở tương lai.", RULE_TREE)
    fields = {"organisation": "code", "into": "merged_into_code", "on": "dissolved_on", "*": "dissolved_on"}
    try:
        if into is not None:
            member_services.organisation_merge(organisation=org, into=into, on=on)
        else:
            member_services.organisation_dissolve(organisation=org, on=on)
    except ValidationError as error:
        raise refusal(error, fields, "dissolved_on", RULE_TREE) from None
    org.refresh_from_db()
    return True
