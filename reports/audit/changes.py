"""Who changed what: the simple-history tables of people, members, units, candidates (and their steps)
and quotas read as one list, newest first.

The list is one UNION of the history tables (only the columns every table has: the history row, its
date, author, type and reason, the record's id, and the kind as a constant), so a page of it is two
queries (its count and its rows) whatever the number of tables. A page's rows are then completed with a
fixed number of queries: per kind on the page, its full rows and the rows before them (to name the
fields that changed), then the authors, and the names of the people, candidates, members and units
the rows point at. The values are not shown, only the names of the changed fields: the page shows no
citizen ID, ethnicity or religion.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import CharField, F, OuterRef, Q, Subquery, Value
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from members.models import Member, MemberMovement, Organisation, Person
from recruitment.models import (
    AdmissionDecision,
    Candidate,
    CellVote,
    Ceremony,
    CommitteeApproval,
    Dossier,
    Enrolment,
    Exit,
    PartyClass,
    Recognition,
    VerificationRequest,
)

from ..models import Quota


@dataclass(frozen=True)
class Kind:
    key: str
    model: type
    label: object


KINDS: tuple[Kind, ...] = (
    Kind("person", Person, _("Người (thông tin cá nhân)")),
    Kind("member", Member, _("Đảng viên")),
    Kind("movement", MemberMovement, _("Biến động đảng viên")),
    Kind("organisation", Organisation, _("Tổ chức đảng")),
    Kind("candidate", Candidate, _("Quần chúng")),
    Kind("party_class", PartyClass, _("Lớp bồi dưỡng")),
    Kind("enrolment", Enrolment, _("Học lớp bồi dưỡng")),
    Kind("dossier", Dossier, _("Hồ sơ kết nạp")),
    Kind("verification", VerificationRequest, _("Thẩm tra lý lịch")),
    Kind("cell_vote", CellVote, _("Nghị quyết chi bộ")),
    Kind("committee_approval", CommitteeApproval, _("Cấp ủy cơ sở xét")),
    Kind("admission_decision", AdmissionDecision, _("Quyết định kết nạp")),
    Kind("ceremony", Ceremony, _("Lễ kết nạp")),
    Kind("recognition", Recognition, _("Công nhận đảng viên chính thức")),
    Kind("exit", Exit, _("Dừng, loại khỏi quy trình")),
    Kind("quota", Quota, _("Chỉ tiêu")),
)
BY_KEY = {kind.key: kind for kind in KINDS}
ACTIONS = {"+": _("Tạo"), "~": _("Sửa"), "-": _("Xóa")}
# The annotations' names are none of the tables' columns (exit and movement have a "kind" of their own).
COLUMNS = (
    "history_id",
    "history_date",
    "history_user_id",
    "history_type",
    "history_change_reason",
    "audit_object_id",
    "audit_kind",
)


def history_queryset(kind: Kind):
    return kind.model.history.model.objects.all()


def union(querysets: dict[str, object]):
    """The kinds' filtered history querysets as one, newest first (None when no kind is asked)."""
    parts = [
        qs.order_by()
        .annotate(audit_object_id=F("id"), audit_kind=Value(key, output_field=CharField()))
        .values_list(*COLUMNS)
        for key, qs in querysets.items()
    ]
    if not parts:
        return None
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return combined.order_by("-history_date", "-history_id")


@dataclass
class Change:
    history_id: int
    at: object
    user_id: int | None
    action: str
    reason: str
    object_id: int
    kind: Kind
    user: object = None
    label: str = ""
    url: str = ""
    fields: list[str] = field(default_factory=list)

    @property
    def action_label(self):
        return ACTIONS.get(self.action, self.action)


def _changed_fields(kind: Kind, row, before) -> list[str]:
    if row.history_type != "~" or before is None:
        return []
    names = []
    for f in kind.model.history.model.tracked_fields:
        if f.attname != "id" and getattr(row, f.attname) != getattr(before, f.attname):
            names.append(str(f.verbose_name))
    return names


def _full_rows(kind: Kind, ids: list[int]) -> dict[int, tuple]:
    """{history_id: (row, the record's row before it or None)} for a page's rows of one kind: one query."""
    history = kind.model.history.model.objects
    before = history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by("-history_id")
    previous = history.filter(history_id__in=ids).annotate(p=Subquery(before.values("history_id")[:1])).values("p")
    rows = {row.history_id: row for row in history.filter(Q(history_id__in=ids) | Q(history_id__in=previous))}
    out = {}
    for hid in ids:
        row = rows[hid]
        earlier = [r for r in rows.values() if r.id == row.id and r.history_id < hid]
        out[hid] = (row, max(earlier, key=lambda r: r.history_id, default=None))
    return out


def complete(page_rows: Iterable[tuple]) -> list[Change]:
    """The page's rows with their authors, what they point at and the fields changed."""
    changes = [
        Change(hid, at, user_id, action, reason or "", object_id, BY_KEY[kind])
        for hid, at, user_id, action, reason, object_id, kind in page_rows
    ]
    by_kind: dict[str, list[int]] = {}
    for change in changes:
        by_kind.setdefault(change.kind.key, []).append(change.history_id)
    full = {}
    for key, ids in by_kind.items():
        for hid, pair in _full_rows(BY_KEY[key], ids).items():
            full[(key, hid)] = pair
    users = get_user_model().objects.in_bulk({c.user_id for c in changes if c.user_id})
    # What each row points at: people, candidates (named by their person), members, units.
    person_ids, candidate_ids, member_ids, org_ids = set(), set(), set(), set()
    for change in changes:
        row = full[(change.kind.key, change.history_id)][0]
        if hasattr(row, "person_id"):
            person_ids.add(row.person_id)
        for name, wanted in (("candidate_id", candidate_ids), ("member_id", member_ids)):
            if getattr(row, name, None):
                wanted.add(getattr(row, name))
        if change.kind.key == "quota":
            org_ids.add(row.organisation_id)
    people = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "full_name")) if person_ids else {}
    candidates = (
        {
            pk: (name, pk)
            for pk, name in Candidate.objects.filter(pk__in=candidate_ids).values_list("pk", "person__full_name")
        }
        if candidate_ids
        else {}
    )
    members = (
        dict(Member.objects.filter(pk__in=member_ids).values_list("pk", "person__full_name")) if member_ids else {}
    )
    orgs = dict(Organisation.objects.filter(pk__in=org_ids).values_list("pk", "name")) if org_ids else {}
    for change in changes:
        row, before = full[(change.kind.key, change.history_id)]
        change.user = users.get(change.user_id)
        change.fields = _changed_fields(change.kind, row, before)
        change.label, change.url = _label(change, row, people, candidates, members, orgs)
    return changes


def _label(change: Change, row, people, candidates, members, orgs) -> tuple[str, str]:
    """The record's name as the page shows it, and a link to its page while it exists."""
    key, pk = change.kind.key, change.object_id
    gone = change.action == "-"
    if key == "person":
        return row.full_name, ""
    if key == "organisation":
        return row.name, "" if gone else reverse("members:organisation", args=[pk])
    if key == "member":
        return people.get(row.person_id, f"#{pk}"), "" if gone else reverse("members:member", args=[pk])
    if key == "candidate":
        return people.get(row.person_id, f"#{pk}"), "" if gone else reverse("recruitment:candidate", args=[pk])
    if key == "party_class":
        return row.name, ""
    if key == "movement":
        return members.get(row.member_id, f"#{row.member_id}"), reverse("members:member", args=[row.member_id])
    if key == "quota":
        period = f"{row.period_start:%Y}–{row.period_end:%Y}"
        return f"{row.get_metric_display()} {period} · {orgs.get(row.organisation_id, '')}", ""
    if getattr(row, "candidate_id", None):
        name, candidate_pk = candidates.get(row.candidate_id, (f"#{row.candidate_id}", None))
        return name, reverse("recruitment:candidate", args=[candidate_pk]) if candidate_pk else ""
    return f"#{pk}", ""
