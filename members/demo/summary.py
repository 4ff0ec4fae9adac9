"""The members' counts printed after a build: organisations by level, members by status, movements
by kind (the pipeline's are `recruitment.demo.counts`)."""

from dataclasses import dataclass

from django.db.models import Count

from ..models import Member, MemberMovement, Organisation
from ..vocabulary import Level, MemberStatus, MovementKind


@dataclass(frozen=True)
class Counts:
    organisations: dict[str, int]
    members: dict[str, int]
    movements: dict[str, int]
    dissolved: int
    merged: int

    @property
    def total_organisations(self) -> int:
        return sum(self.organisations.values())

    @property
    def total_members(self) -> int:
        return sum(self.members.values())

    @property
    def total_movements(self) -> int:
        return sum(self.movements.values())


def _grouped(queryset, field: str, choices) -> dict[str, int]:
    found = dict(queryset.values_list(field).annotate(n=Count("pk")).values_list(field, "n"))
    return {value: found.get(value, 0) for value in choices.values}


def collect() -> Counts:
    return Counts(
        organisations=_grouped(Organisation.objects.order_by(), "level", Level),
        members=_grouped(Member.objects.order_by(), "status", MemberStatus),
        movements=_grouped(MemberMovement.objects.order_by(), "kind", MovementKind),
        dissolved=Organisation.objects.filter(dissolved_on__isnull=False, merged_into__isnull=True).count(),
        merged=Organisation.objects.filter(merged_into__isnull=False).count(),
    )


def format_number(n: int) -> str:
    """Vietnamese thousands separator: 15.612."""
    return f"{n:,}".replace(",", ".")


def format_counts(counts: Counts) -> list[str]:
    lines = [f"Tổ chức đảng: {format_number(counts.total_organisations)}"]
    lines += [f"  {Level(k).label}: {format_number(v)}" for k, v in counts.organisations.items() if v]
    lines.append(f"  (đã giải thể: {format_number(counts.dissolved)}; đã sáp nhập: {format_number(counts.merged)})")
    lines.append(f"Đảng viên: {format_number(counts.total_members)}")
    lines += [f"  {MemberStatus(k).label}: {format_number(v)}" for k, v in counts.members.items()]
    lines.append(f"Biến động đảng viên: {format_number(counts.total_movements)}")
    lines += [f"  {MovementKind(k).label}: {format_number(v)}" for k, v in counts.movements.items()]
    return lines
