"""The 2025 reorganisation, small but real: one old district and three of its communes.

Before 1 July 2025 the district of Yên Bình stood between the province and the communes of Yên
Thịnh, Tân Lập and Phú Xuân. On that day (Quy định 294-QĐ/TW) the three communes were merged into
the new commune of Yên Bình directly under the province, neighbouring villages were merged into
one, and the district was dissolved. Organisations are never moved, so every successor is a new
unit founded that day; the old ones stay in the tree with `dissolved_on` and `merged_into`, and
their members come over through the services that record transfer movements.
"""

import datetime
import random
from dataclasses import dataclass, field

from ..models import Member, Organisation
from ..services import member_transfer, organisation_dissolve, organisation_merge
from ..vocabulary import ACTIVE_MEMBER_STATUSES, Level, Sector
from .dates import REORGANISATION_DAY, random_day
from .people import PROFILES
from .place_names import NEW_COMMUNE, OLD_COMMUNES, OLD_DISTRICT, PROVINCE_CODE, VILLAGE_NAMES
from .province import CellPlan, UnitWriter, founding_day

D = datetime.date


@dataclass
class Reorganisation:
    district: Organisation
    new_commune: Organisation
    old_communes: list[Organisation] = field(default_factory=list)
    # (old cell, successor): the old cell is merged, its members move with it.
    merges: list[tuple[Organisation, Organisation]] = field(default_factory=list)
    # (old unit, successor cell): a district unit with no counterpart in the new commune; its
    # members are transferred one by one, then the unit is dissolved.
    handovers: list[tuple[Organisation, Organisation]] = field(default_factory=list)
    cells: list[CellPlan] = field(default_factory=list)


def build_area(
    writer: UnitWriter, rng: random.Random, province: Organisation, *, new_code: str, villages: tuple[int, int]
) -> Reorganisation:
    """The old district with its communes and cells, and the new commune with its successor cells."""
    district = writer.add(
        province,
        code=f"{PROVINCE_CODE}.H1",
        name=f"Đảng bộ huyện {OLD_DISTRICT}",
        level=Level.DISTRICT,
        founded_on=random_day(rng, D(1948, 1, 1), D(1949, 12, 31)),
    )
    # The three old communes share one pool of village names, so no two old villages are namesakes.
    per_commune = [rng.randint(max(2, villages[0] // 2), max(2, (villages[1] + 1) // 2)) for _ in OLD_COMMUNES]
    pool = iter(rng.sample(VILLAGE_NAMES, sum(per_commune)))

    old: dict[str, list[Organisation]] = {"government": [], "military": [], "police": [], "school": []}
    village_groups: list[list[Organisation]] = []
    old_communes = []
    for name, count in zip(OLD_COMMUNES, per_commune, strict=True):
        commune = writer.add(
            district,
            name=f"Đảng bộ xã {name}",
            level=Level.COMMUNE,
            founded_on=random_day(rng, D(1950, 1, 1), D(1960, 12, 31)),
        )
        old_communes.append(commune)
        villages_here = [
            _cell(
                writer, rng, commune, f"Chi bộ thôn {next(pool)}", "village", (founding_day(commune), D(1967, 12, 31))
            )
            for _ in range(count)
        ]
        village_groups += _neighbours(rng, villages_here)
        old["government"].append(_cell(writer, rng, commune, f"Chi bộ Cơ quan xã {name}", "government"))
        old["military"].append(_cell(writer, rng, commune, f"Chi bộ Quân sự xã {name}", "military"))
        old["police"].append(_cell(writer, rng, commune, f"Chi bộ Công an xã {name}", "police"))
        old["school"].append(_cell(writer, rng, commune, f"Chi bộ Trường Tiểu học {name}", "school"))
    district_office = writer.add(
        district,
        name=f"Chi bộ Phòng Nông nghiệp và Phát triển nông thôn huyện {OLD_DISTRICT}",
        level=Level.GRASSROOTS_CELL,
        sector=Sector.AGENCY,
        founded_on=random_day(rng, D(1976, 1, 1), D(1990, 12, 31)),
    )

    new_commune = writer.add(
        province, code=new_code, name=NEW_COMMUNE.committee_name, level=Level.COMMUNE, founded_on=REORGANISATION_DAY
    )
    area = Reorganisation(district=district, new_commune=new_commune, old_communes=old_communes)
    taken: set[str] = set()
    for group in village_groups:
        name = _merged_village_name(group, taken)
        area.cells.append(_successor(writer, area, new_commune, name, "village", group))
    title = NEW_COMMUNE.title
    agency = writer.add(
        new_commune,
        name=f"Chi bộ Cơ quan Đảng – Đoàn thể {title}",
        level=Level.CELL,
        sector=Sector.AGENCY,
        founded_on=REORGANISATION_DAY,
    )
    area.handovers.append((district_office, agency))
    area.cells.append(CellPlan(org=agency, kind="party_agency", commune=NEW_COMMUNE, predecessors=(district_office,)))
    for kind, name in (
        ("government", f"Chi bộ Cơ quan Chính quyền {title}"),
        ("military", f"Chi bộ Quân sự {title}"),
        ("police", f"Chi bộ Công an {title}"),
    ):
        area.cells.append(_successor(writer, area, new_commune, name, kind, old[kind]))
    # Schools keep their names: each old school cell has exactly one successor.
    for school in old["school"]:
        area.cells.append(_successor(writer, area, new_commune, school.name, "school", [school]))
    return area


def _cell(
    writer: UnitWriter,
    rng: random.Random,
    commune: Organisation,
    name: str,
    kind: str,
    founded_between: tuple[datetime.date, datetime.date] = (D(1960, 1, 1), D(1980, 12, 31)),
) -> Organisation:
    earliest, latest = founded_between
    return writer.add(
        commune,
        name=name,
        level=Level.CELL,
        sector=PROFILES[kind].sector,
        founded_on=random_day(rng, max(earliest, founding_day(commune)), latest),
    )


def _neighbours(rng: random.Random, villages: list[Organisation]) -> list[list[Organisation]]:
    """Small neighbouring villages merged in pairs, as the 2025 plans did; the rest stay alone."""
    groups, i = [], 0
    while i < len(villages):
        if i + 1 < len(villages) and rng.random() < 0.45:
            groups.append(villages[i : i + 2])
            i += 2
        else:
            groups.append([villages[i]])
            i += 1
    return groups


def _merged_village_name(group: list[Organisation], taken: set[str]) -> str:
    """One old village keeps its name; two merged ones take a word of each (Đồng Tâm + Tân Tiến → Đồng Tiến)."""
    names = [g.name.removeprefix("Chi bộ thôn ") for g in group]
    if len(names) == 1:
        village = names[0]
    else:
        first, last = names[0].split()[0], names[1].split()[-1]
        village = f"{first} {last}" if first != last else names[0]
    name, n = f"Chi bộ thôn {village}", 1
    while name in taken:
        n += 1
        name = f"Chi bộ thôn {village} {n}"
    taken.add(name)
    return name


def _successor(
    writer: UnitWriter, area: Reorganisation, commune: Organisation, name: str, kind: str, olds: list[Organisation]
) -> CellPlan:
    org = writer.add(commune, name=name, level=Level.CELL, sector=PROFILES[kind].sector, founded_on=REORGANISATION_DAY)
    area.merges += [(old, org) for old in olds]
    return CellPlan(
        org=org,
        kind=kind,
        commune=NEW_COMMUNE,
        predecessors=tuple(olds),
        size_factor=1.0 + 0.6 * (len(olds) - 1),
    )


def carry_out(area: Reorganisation, *, on: datetime.date = REORGANISATION_DAY) -> None:
    """What the province did on the day: hand over, merge the cells, merge the communes, dissolve the district.

    The order is the services' own: a unit can only be dissolved or merged once nothing active
    remains under it.
    """
    for old, successor in area.handovers:
        note = f"Chuyển sinh hoạt đảng khi sắp xếp tổ chức bộ máy ({old.name} giải thể)"
        for member in Member.objects.filter(cell=old, status__in=ACTIVE_MEMBER_STATUSES).order_by("pk"):
            member_transfer(member=member, to_cell=successor, on=on, note=note)
        organisation_dissolve(organisation=old, on=on)
    for old, successor in area.merges:
        organisation_merge(organisation=old, into=successor, on=on)
    for old in area.old_communes:
        organisation_merge(organisation=old, into=area.new_commune, on=on)
    organisation_dissolve(organisation=area.district, on=on)
