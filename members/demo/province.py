"""Today's tree of the demo province: communes under the province, and what sits in each commune.

Every unit is created through `members.services.organisation_create`, so the placement rules of
the real application hold for the demo too; a few hundred calls take about a second.
"""

import datetime
import random
from dataclasses import dataclass, field

from ..models import Organisation
from ..services import organisation_create
from ..vocabulary import Level, Sector
from .dates import random_day
from .people import PROFILES
from .place_names import (
    HAMLET_NAMES,
    PROVINCE_CODE,
    PROVINCE_NAME,
    STANDARD_COMMUNES,
    STREET_NAMES,
    VILLAGE_NAMES,
    CommuneKind,
    CommuneName,
)

D = datetime.date


def founding_day(org: Organisation) -> datetime.date:
    """The unit's founding day; every demo unit has one (UnitWriter.add requires it)."""
    assert org.founded_on is not None, f"demo unit {org.code} has no founding day"
    return org.founded_on


@dataclass
class CellPlan:
    """A unit that holds members, with what the roll generator needs to know about it."""

    org: Organisation
    kind: str  # a key of people.PROFILES
    commune: CommuneName
    # Units this cell succeeded on the reorganisation day; members admitted before the cell was
    # founded were admitted in one of these and came over by merger or transfer.
    predecessors: tuple[Organisation, ...] = ()
    # A merged cell is roughly as large as the cells it absorbed together.
    size_factor: float = 1.0

    @property
    def earliest_admission(self) -> datetime.date:
        days = [founding_day(p) for p in self.predecessors] or [founding_day(self.org)]
        return min(days)

    @property
    def is_residential(self) -> bool:
        return PROFILES[self.kind].sector == Sector.RESIDENTIAL

    @property
    def stable(self) -> bool:
        """Existed through the whole period of recorded movements (so it may exchange transfers)."""
        return not self.predecessors


class UnitWriter:
    """Creates units and numbers their codes: a child's code is its parent's plus a 2-digit rank."""

    def __init__(self) -> None:
        self._ranks: dict[str, int] = {}
        self.created = 0

    def add(
        self,
        parent: Organisation | None,
        *,
        name: str,
        level: str,
        founded_on: datetime.date,
        sector: str = "",
        code: str | None = None,
    ) -> Organisation:
        if code is None:
            assert parent is not None, "only the province has no parent, and it is given its code"
            rank = self._ranks.get(parent.code, 0) + 1
            self._ranks[parent.code] = rank
            code = f"{parent.code}.{rank:02d}"
        self.created += 1
        return organisation_create(
            code=code, name=name, level=level, parent=parent, sector=sector, founded_on=founded_on
        )


@dataclass(frozen=True)
class Institution:
    """A grassroots organisation hosted by some commune: a committee with cells, or a single cell."""

    name: str  # "{name}" is the commune's name, "{title}" reads "xã …" or "phường …"
    level: str
    kind: str
    founded: datetime.date
    prefers: str  # the commune kind it is most at home in
    # Names of its cells; a (name, cells) pair is a sub-committee (đảng bộ bộ phận) with its cells.
    cells: tuple = ()
    # The standard commune cell it stands in for (a police committee replaces the police cell).
    replaces: str = ""


GC, GCELL = Level.GRASSROOTS_COMMITTEE, Level.GRASSROOTS_CELL
L, U, P = CommuneKind.LOWLAND, CommuneKind.UPLAND, CommuneKind.URBAN

INSTITUTIONS: tuple[Institution, ...] = (
    Institution(
        "Đảng bộ Công an {title}", GC, "police_team", D(1962, 5, 1), P,
        cells=("Chi bộ Đội Tổng hợp", "Chi bộ Đội Cảnh sát khu vực", "Chi bộ Đội Cảnh sát trật tự – Phòng cháy"),
        replaces="police",
    ),
    Institution(
        "Đảng bộ Công ty Cổ phần Xi măng Minh Sơn", GC, "cement", D(1998, 4, 20), L,
        cells=(
            (
                "Đảng bộ bộ phận Nhà máy Xi măng số 2",
                ("Chi bộ Phân xưởng Lò nung", "Chi bộ Phân xưởng Nghiền – Đóng bao", "Chi bộ Phân xưởng Cơ điện"),
            ),
            "Chi bộ Xí nghiệp Khai thác mỏ",
            "Chi bộ Phòng Kỹ thuật – Vật tư",
            "Chi bộ Văn phòng Công ty",
        ),
    ),
    Institution(
        "Đảng bộ Trung tâm Y tế khu vực {name}", GC, "hospital", D(1966, 3, 10), L,
        cells=(
            "Chi bộ Khoa Khám bệnh – Cấp cứu", "Chi bộ Khoa Nội – Nhi", "Chi bộ Khoa Ngoại – Sản",
            "Chi bộ Y tế dự phòng", "Chi bộ Hành chính – Tổng hợp",
        ),
    ),
    Institution("Chi bộ Hợp tác xã Dịch vụ Nông nghiệp {name}", GCELL, "cooperative", D(1997, 3, 1), L),
    Institution(
        "Đảng bộ Trường THPT Chuyên Minh Sơn", GC, "high_school", D(1968, 9, 5), P,
        cells=(
            "Chi bộ Tổ Toán – Tin học", "Chi bộ Tổ Ngữ văn – Lịch sử", "Chi bộ Tổ Ngoại ngữ",
            "Chi bộ Tổ Khoa học tự nhiên", "Chi bộ Hành chính – Văn phòng",
        ),
    ),
    Institution("Chi bộ Trường Phổ thông Dân tộc nội trú {name}", GCELL, "boarding_school", D(1991, 9, 1), U),
    Institution(
        "Đảng bộ Công ty TNHH May mặc Hưng Phát", GC, "garment", D(2009, 8, 15), P,
        cells=("Chi bộ Xưởng May 1", "Chi bộ Xưởng May 2", "Chi bộ Khối Văn phòng"),
    ),
    Institution("Chi bộ Công ty TNHH MTV Thủy lợi Minh Sơn – Chi nhánh {name}", GCELL, "irrigation", D(1992, 1, 10), L),
    Institution("Chi bộ Công ty Cổ phần Chế biến Nông sản {name}", GCELL, "food_company", D(2004, 6, 1), L),
    Institution("Chi bộ Quỹ Tín dụng nhân dân {name}", GCELL, "credit_fund", D(1995, 7, 1), L),
    Institution("Chi bộ Kho bạc Nhà nước khu vực {name}", GCELL, "treasury", D(1990, 4, 1), P),
    Institution("Chi bộ Hợp tác xã Chè {name}", GCELL, "cooperative", D(2008, 2, 15), U),
    Institution("Chi bộ Trường THPT {name}", GCELL, "high_school", D(1979, 9, 5), L),
)  # fmt: skip


@dataclass
class Province:
    org: Organisation
    cells: list[CellPlan] = field(default_factory=list)
    # The commune and the two residential cells the commune and cell logins are given.
    login_commune: Organisation | None = None
    login_cells: list[Organisation] = field(default_factory=list)
    # The cell of the commune's party agencies: the commune leaders' own cell.
    login_agency_cell: Organisation | None = None


def create_province(writer: UnitWriter) -> Organisation:
    return writer.add(None, code=PROVINCE_CODE, name=PROVINCE_NAME, level=Level.PROVINCE, founded_on=D(1946, 10, 20))


def build_today(
    writer: UnitWriter, rng: random.Random, province_org: Organisation, *, communes: int, villages: tuple[int, int]
) -> Province:
    """The communes of today's tree that the 2025 reorganisation shown in the demo did not touch."""
    places = STANDARD_COMMUNES[:communes]
    hosts = _place_institutions(places)
    province = Province(org=province_org)
    for index, place in enumerate(places, start=1):
        commune = writer.add(
            province_org,
            code=f"{PROVINCE_CODE}.{index:02d}",
            name=place.committee_name,
            level=Level.COMMUNE,
            founded_on=random_day(rng, D(1950, 1, 1), D(1962, 12, 31)),
        )
        institutions = [inst for inst, host in zip(INSTITUTIONS, hosts, strict=True) if host == index - 1]
        replaced = {inst.replaces for inst in institutions}
        residential = _residential_cells(writer, rng, commune, place, rng.randint(*villages))
        commune_cells = _commune_cells(writer, rng, commune, place, skip=replaced)
        province.cells += residential + commune_cells
        for institution in institutions:
            province.cells += _institution(writer, commune, place, institution)
        if index == 1:
            province.login_commune = commune
            province.login_cells = [c.org for c in residential[:2]]
            province.login_agency_cell = commune_cells[0].org
    return province


def _place_institutions(places: tuple[CommuneName, ...]) -> list[int]:
    """For each institution, the index of its host commune: the least busy commune of its kind.

    A scaled-down build has few communes; institutions then crowd into them, so every level and
    sector is still present.
    """
    load = [0] * len(places)
    hosts = []
    for institution in INSTITUTIONS:
        fitting = [i for i, p in enumerate(places) if p.kind == institution.prefers] or list(range(len(places)))
        host = min(fitting, key=lambda i: (load[i], i))
        load[host] += 1
        hosts.append(host)
    return hosts


def _residential_cells(
    writer: UnitWriter, rng: random.Random, commune: Organisation, place: CommuneName, count: int
) -> list[CellPlan]:
    numbered = rng.random() < 0.5
    if place.kind == CommuneKind.UPLAND:
        kind, names = "hamlet", [f"Chi bộ bản {n}" for n in rng.sample(HAMLET_NAMES, count)]
    elif place.kind == CommuneKind.URBAN:
        kind = "street"
        names = (
            [f"Chi bộ tổ dân phố số {i}" for i in range(1, count + 1)]
            if numbered
            else [f"Chi bộ tổ dân phố {n}" for n in rng.sample(STREET_NAMES, count)]
        )
    else:
        kind = "village"
        names = (
            [f"Chi bộ thôn {i}" for i in range(1, count + 1)]
            if numbered
            else [f"Chi bộ thôn {n}" for n in rng.sample(VILLAGE_NAMES, count)]
        )
    latest = D(1967, 12, 31)
    return [
        CellPlan(
            org=writer.add(
                commune,
                name=name,
                level=Level.CELL,
                sector=Sector.RESIDENTIAL,
                founded_on=random_day(rng, founding_day(commune), latest),
            ),
            kind=kind,
            commune=place,
        )
        for name in names
    ]


# The cells every commune has besides its villages: (kind, name, founded between).
_COMMUNE_CELLS = (
    ("party_agency", "Chi bộ Cơ quan Đảng – Đoàn thể {title}", (D(1960, 1, 1), D(1975, 12, 31))),
    ("government", "Chi bộ Cơ quan Chính quyền {title}", (D(1960, 1, 1), D(1975, 12, 31))),
    ("military", "Chi bộ Quân sự {title}", (D(1960, 1, 1), D(1978, 12, 31))),
    ("police", "Chi bộ Công an {title}", (D(1962, 1, 1), D(1980, 12, 31))),
    ("kindergarten", "Chi bộ Trường Mầm non {name}", (D(1976, 1, 1), D(1995, 12, 31))),
    ("school", "Chi bộ Trường Tiểu học {name}", (D(1960, 1, 1), D(1985, 12, 31))),
    ("school", "Chi bộ Trường THCS {name}", (D(1965, 1, 1), D(1990, 12, 31))),
    ("clinic", "Chi bộ Trạm Y tế {title}", (D(1965, 1, 1), D(1990, 12, 31))),
)


def _commune_cells(
    writer: UnitWriter, rng: random.Random, commune: Organisation, place: CommuneName, *, skip: set[str]
) -> list[CellPlan]:
    cells = []
    for kind, name, (earliest, latest) in _COMMUNE_CELLS:
        if kind in skip:
            continue
        org = writer.add(
            commune,
            name=name.format(name=place.name, title=place.title),
            level=Level.CELL,
            sector=PROFILES[kind].sector,
            founded_on=random_day(rng, max(earliest, founding_day(commune)), latest),
        )
        cells.append(CellPlan(org=org, kind=kind, commune=place))
    return cells


def _institution(
    writer: UnitWriter, commune: Organisation, place: CommuneName, institution: Institution
) -> list[CellPlan]:
    sector = PROFILES[institution.kind].sector
    founded = max(institution.founded, founding_day(commune))
    unit = writer.add(
        commune,
        name=institution.name.format(name=place.name, title=place.title),
        level=institution.level,
        sector=sector,
        founded_on=founded,
    )
    if institution.level == Level.GRASSROOTS_CELL:
        return [CellPlan(org=unit, kind=institution.kind, commune=place)]
    plans = []
    for entry in institution.cells:
        parent, names = unit, (entry,)
        if isinstance(entry, tuple):
            sub_name, names = entry
            parent = writer.add(unit, name=sub_name, level=Level.SUB_COMMITTEE, sector=sector, founded_on=founded)
        for name in names:
            org = writer.add(parent, name=name, level=Level.CELL, sector=sector, founded_on=founded)
            plans.append(CellPlan(org=org, kind=institution.kind, commune=place))
    return plans
