"""The members' part of `manage.py generate_scale`: a province of any size shaped like the real ones.

`load_demo` builds a showcase (22 communes whatever the size) through the services; this builds a
province for timing, with the shape of a real one at any size, and writes it in bulk:

- communes of 100-3,000 members directly under the province, each with its residential cells
  (thôn, bản, tổ dân phố), its agency, armed-force, school and clinic cells, and the grassroots
  organisations it hosts: grassroots committees (some with a sub-committee) and grassroots cells of
  agencies, public services, enterprises, cooperatives and the police, so that there is about one
  organisation (anything other than a cell under a committee) per 80 members;
- cells of 5-60 members on today's roll (a grassroots cell fewer than 30);
- the 2025 reorganisation: a share of today's communes were founded on 1/7/2025 from two or three
  old communes of a district dissolved that day; every unit of such a commune succeeded one or more
  old units (organisations are never moved), whose active members moved with the merge that day;
- the rolls: admissions drawn like the demo's (`rolls.AdmissionDrawer`, about 2.5 % of the roll a
  year lately), transfers inside the province, deaths and other exits from 2020, ceremonies,
  recognitions and card numbers, people drawn by `people.PersonFactory`;
- the logins of every role at every level, the demo's seven and one per role for a grassroots
  committee and a grassroots cell, with the demo password.

No service is called per row: the plan is drawn in memory from one random stream (the same seed
gives the same province), then written in bulk with their history rows (`bulk`: COPY on PostgreSQL), the
rolls in chunks so memory stays bounded. The recruitment and reports layers add the pipeline and the
quotas (`recruitment.demo.scale`, `reports.demo.scale`).
"""

import datetime
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from ..models import Member, MemberMovement, Organisation, OrganisationTerm, Person, RoleAssignment
from ..vocabulary import CELL_LEVELS, Gender, Level, MemberStatus, MovementKind, Role, Sector
from . import bulk
from .dates import MOVEMENTS_FROM, REORGANISATION_DAY, add_years, age_on, random_day
from .people import PROFILES, Ages, PersonFactory
from .place_names import HAMLET_NAMES, PROVINCE_CODE, PROVINCE_NAME, STREET_NAMES, VILLAGE_NAMES, CommuneKind
from .place_names import CommuneName as Place
from .rolls import AdmissionDrawer
from .users import DEMO_PASSWORD, LoginRow, display_name, split_name

D = datetime.date
# Members written per round (persons, members, movements), so the rolls never sit in memory as models.
CHUNK = 20_000
HISTORY_REASON = "Dữ liệu quy mô lớn (generate_scale)"
# A commune's members (its own cells and the grassroots organisations it hosts).
COMMUNE_MEMBERS = (100, 3000, 900)  # triangular: low, high, mode
# Members of a cell on today's roll, and of a grassroots cell (fewer than 30 by definition).
CELL_MEMBERS = (5, 60)
GRASSROOTS_CELL_MEMBERS = (6, 29)
GRASSROOTS_COMMITTEE_MEMBERS = (60, 400)
# Share of today's communes founded in the 2025 reorganisation, and old communes merged into each.
REORGANISED_SHARE = 0.45
MERGED_COMMUNES = (2, 3)
NEW_COMMUNES_PER_DISTRICT = 4
# Admission years from 2015 weigh a little less than older ones: about 2.5 % of the roll a year since 2020.
RECENT_ADMISSIONS_WEIGHT = 0.9
# Yearly chances of leaving the rolls, as members.demo.rolls draws them.
DEATH_BY_AGE = ((80, 0.06), (70, 0.025), (60, 0.01), (50, 0.004), (0, 0.001))
LEAVES_PROVINCE = {Ages.RESIDENTIAL: 0.0015, Ages.WORKING: 0.004, Ages.ARMED: 0.006}
MOVES_WITHIN = {Ages.RESIDENTIAL: 0.003, Ages.WORKING: 0.005, Ages.ARMED: 0.008}
STRUCK_OFF, EXPELLED = 0.0006, 0.0002
NOTES = {
    MovementKind.DIED: "Từ trần",
    MovementKind.TRANSFERRED_OUT: "Chuyển sinh hoạt đảng chính thức ra ngoài tỉnh",
    MovementKind.STRUCK_OFF: "Xóa tên trong danh sách đảng viên (bỏ sinh hoạt đảng không có lý do)",
    MovementKind.EXPELLED: "Khai trừ ra khỏi Đảng (vi phạm Điều lệ Đảng)",
    "moved_home": "Chuyển sinh hoạt đảng do thay đổi nơi cư trú",
    "moved_job": "Chuyển sinh hoạt đảng do điều động, thay đổi nơi công tác",
}

_FIRST = (
    "Thanh", "Đông", "Tân", "Phú", "Hòa", "Quảng", "Bắc", "Đại", "Vĩnh", "Hưng", "Nam", "Cẩm", "Trung",
    "Đồng", "Yên", "Hồng", "Liên", "Tiên", "Quyết", "Nghĩa", "Xuân", "Hải", "Bình", "An", "Hợp", "Văn",
    "Mỹ", "Lạc", "Đức", "Phúc", "Kim", "Ngọc",
)  # fmt: skip
_SECOND = (
    "Lâm", "Thành", "Lộc", "Thịnh", "An", "Tiến", "Sơn", "Hưng", "Bình", "Hòa", "Lạc", "Phong",
    "Trường", "Minh", "Khánh", "Nhất", "Cương", "Lang", "Thắng", "Thuận", "Long", "Quang",
)  # fmt: skip
_UPLAND = ("Nà", "Pá", "Huổi", "Mường", "Nậm", "Phìn", "Khau", "Co", "Bó", "Lả")
_UPLAND_SECOND = ("Phìn", "Hu", "Cang", "Khoa", "Sản", "Luông", "Tạt", "Mồng", "Lèng", "Ty", "Pằn", "Sáy")

# The commune's own cells besides its residential ones: (profile, name).
COMMUNE_CELLS = (
    ("party_agency", "Chi bộ Cơ quan Đảng – Đoàn thể {title}"),
    ("government", "Chi bộ Cơ quan Chính quyền {title}"),
    ("military", "Chi bộ Quân sự {title}"),
    ("police", "Chi bộ Công an {title}"),
    ("kindergarten", "Chi bộ Trường Mầm non {name}"),
    ("school", "Chi bộ Trường Tiểu học {name}"),
    ("school", "Chi bộ Trường THCS {name}"),
    ("clinic", "Chi bộ Trạm Y tế {title}"),
)
# Grassroots cells a commune hosts, taken in turn so every sector shows up even in a small build.
HOSTED_CELLS = (
    ("cooperative", "Chi bộ Hợp tác xã Dịch vụ Nông nghiệp {name} số {n}"),
    ("food_company", "Chi bộ Công ty Cổ phần Chế biến Nông sản {name} số {n}"),
    ("treasury", "Chi bộ Kho bạc Nhà nước khu vực {name} số {n}"),
    ("irrigation", "Chi bộ Công ty TNHH MTV Thủy lợi – Chi nhánh {name} số {n}"),
    ("high_school", "Chi bộ Trường THPT {name} số {n}"),
    ("credit_fund", "Chi bộ Quỹ Tín dụng nhân dân {name} số {n}"),
    ("boarding_school", "Chi bộ Trường Phổ thông Dân tộc nội trú {name} số {n}"),
)
# Grassroots committees: (profile, name, name of its cells and sub-committees).
HOSTED_COMMITTEES = (
    ("cement", "Đảng bộ Công ty Cổ phần Xi măng {name} số {n}", "Phân xưởng"),
    ("hospital", "Đảng bộ Trung tâm Y tế khu vực {name} số {n}", "Khoa"),
    ("garment", "Đảng bộ Công ty TNHH May mặc {name} số {n}", "Xưởng May"),
    ("police_team", "Đảng bộ Công an {title} số {n}", "Đội"),
)


@dataclass(eq=False)
class Unit:
    """A planned organisation; `index` is its place in `Plan.units`."""

    index: int
    parent: "Unit | None"
    code: str
    name: str
    level: str
    founded_on: datetime.date
    sector: str = ""
    kind: str = ""  # a key of people.PROFILES, for units that hold members
    place: Place | None = None
    size: int = 0  # members whose last cell is this one (on the roll today or left since)
    dissolved_on: datetime.date | None = None
    merged_into: "Unit | None" = None
    predecessors: list["Unit"] = field(default_factory=list)
    children: list["Unit"] = field(default_factory=list)
    pk: int | None = None
    path: str = ""

    @property
    def key(self) -> int:
        """The primary key, once the unit is written."""
        assert self.pk is not None, f"{self.code} is not written yet"
        return self.pk

    @property
    def holds_members(self) -> bool:
        return self.level in CELL_LEVELS

    @property
    def active_today(self) -> bool:
        return self.dissolved_on is None

    @property
    def commune(self) -> "Unit":
        unit = self
        while unit.level != Level.COMMUNE:
            assert unit.parent is not None
            unit = unit.parent
        return unit


@dataclass(slots=True)
class Roll:
    """One member: where they were admitted and ended, and what happened in between."""

    cell: Unit  # the cell they are in today, or were in when they left
    admitted_in: Unit
    admitted: datetime.date
    born: datetime.date
    gender: str
    pupil: bool
    readmitted: bool
    joined: datetime.date  # since when they are in `cell`
    transfer_on: datetime.date | None = None  # moved from `admitted_in` to `cell` inside the province
    reorganised: bool = False  # moved from `admitted_in` to `cell` with the merge on 1/7/2025
    exit_kind: str = ""
    exit_on: datetime.date | None = None
    ceremony: datetime.date | None = None
    recognised: datetime.date | None = None
    card: str = ""
    pk: int | None = None
    person_pk: int | None = None

    @property
    def status(self) -> str:
        if self.exit_kind:
            return MemberStatus.LEFT
        return MemberStatus.FULL if self.recognised else MemberStatus.PROBATIONARY


@dataclass
class Plan:
    units: list[Unit] = field(default_factory=list)
    rolls: list[Roll] = field(default_factory=list)
    province: Unit | None = None

    def add(self, parent: Unit | None, *, name: str, level: str, founded_on: datetime.date, **more) -> Unit:
        code = PROVINCE_CODE if parent is None else f"{parent.code}.{len(parent.children) + 1:02d}"
        unit = Unit(len(self.units), parent, code, name, level, founded_on, **more)
        if parent is not None:
            parent.children.append(unit)
        self.units.append(unit)
        return unit

    @property
    def cells(self) -> list[Unit]:
        return [u for u in self.units if u.holds_members]

    def of_level(self, level: str, *, active: bool = True) -> list[Unit]:
        return [u for u in self.units if u.level == level and (u.active_today or not active)]


# --- sizes ------------------------------------------------------------------------------------


def split(total: int, count: int, rng: random.Random, low: int, high: int) -> list[int]:
    """`count` numbers in [low, high] summing to `total` (low * count <= total <= high * count)."""
    assert low * count <= total <= high * count, (total, count, low, high)
    weights = [rng.uniform(0.6, 1.4) for _ in range(count)]
    scale = total / sum(weights)
    sizes = [min(max(round(w * scale), low), high) for w in weights]
    # Settle the rounding one member at a time, on the cells that still have room.
    step = 1 if sum(sizes) < total else -1
    i = 0
    while sum(sizes) != total:
        j = i % count
        if low <= sizes[j] + step <= high:
            sizes[j] += step
        i += 1
    return sizes


def cells_for(total: int, rng: random.Random, low: int, high: int, mean: float) -> list[int]:
    count = max(1, math.ceil(total / high), round(total / mean))
    count = min(count, max(1, total // low))
    return split(total, count, rng, low, high)


def commune_sizes(members: int, rng: random.Random) -> list[int]:
    """Members of each commune (with what it hosts): 100-3,000, summing to `members`."""
    low, high, mode = COMMUNE_MEMBERS
    sizes: list[int] = []
    left = members
    while left > 0:
        size = round(rng.triangular(low, high, mode))
        if left - size < low:
            size = left if left <= high else left - low
        sizes.append(size)
        left -= size
    if sizes[-1] < low and len(sizes) > 1:  # a build of fewer members than a commune keeps one
        last = sizes.pop()
        sizes[-1] += last
    return sizes


# --- names ------------------------------------------------------------------------------------


def place_names(rng: random.Random) -> Iterator[Place]:
    """Endless distinct commune names: lowland, upland and urban (a number once the words run out)."""
    lowland = [f"{a} {b}" for a in _FIRST for b in _SECOND if a != b]
    upland = [f"{a} {b}" for a in _UPLAND for b in _UPLAND_SECOND]
    rng.shuffle(lowland)
    rng.shuffle(upland)
    round_ = 1
    while True:
        suffix = "" if round_ == 1 else f" {round_}"
        for i, name in enumerate(lowland):
            if i % 5 == 2 and i // 5 < len(upland):
                yield Place(upland[i // 5] + suffix, CommuneKind.UPLAND)
            kind = CommuneKind.URBAN if i % 5 == 4 else CommuneKind.LOWLAND
            yield Place(name + suffix, kind, parish=kind == CommuneKind.LOWLAND and i % 11 == 3)
        round_ += 1


def residential_name(place: Place, i: int) -> tuple[str, str]:
    pool: tuple[str, ...]
    if place.kind == CommuneKind.UPLAND:
        pool, word, kind = HAMLET_NAMES, "bản", "hamlet"
    elif place.kind == CommuneKind.URBAN:
        pool, word, kind = STREET_NAMES, "tổ dân phố", "street"
    else:
        pool, word, kind = VILLAGE_NAMES, "thôn", "village"
    label = pool[i] if i < len(pool) else f"số {i + 1}"
    return kind, f"Chi bộ {word} {label}"


# --- the tree ---------------------------------------------------------------------------------


class TreePlanner:
    def __init__(self, plan: Plan, rng: random.Random):
        self.plan = plan
        self.rng = rng
        self.hosted_cells = 0
        self.hosted_committees = 0

    def commune(self, parent: Unit, place: Place, total: int, founded: datetime.date) -> Unit:
        """A commune of `total` members: its own cells and the grassroots organisations it hosts."""
        rng, plan = self.rng, self.plan
        commune = plan.add(parent, name=place.committee_name, level=Level.COMMUNE, founded_on=founded, place=place)
        hosted = 0 if total < 300 else round(total * rng.uniform(0.2, 0.38))
        first = hosted and not self.hosted_committees
        if first:
            # The first hosting commune has room for a grassroots committee and a grassroots cell,
            # so every build has both (and their logins).
            hosted = max(hosted, GRASSROOTS_COMMITTEE_MEMBERS[0] + 2 * GRASSROOTS_CELL_MEMBERS[0])
        own = total - hosted
        kinds = COMMUNE_CELLS if own >= 250 else COMMUNE_CELLS[:4]
        standard_total = min(max(round(own * 0.35), 5 * len(kinds)), own - 5, 45 * len(kinds))
        standard = split(standard_total, len(kinds), rng, 5, 60)
        for (kind, name), size in zip(kinds, standard, strict=True):
            self._cell(commune, name.format(name=place.name, title=place.title), kind, size, founded)
        for i, size in enumerate(cells_for(own - sum(standard), rng, *CELL_MEMBERS, mean=rng.uniform(30, 45))):
            kind, name = residential_name(place, i)
            self._cell(commune, name, kind, size, founded)
        while hosted > 0:
            if hosted >= GRASSROOTS_COMMITTEE_MEMBERS[0] and (self.hosted_committees == 0 or rng.random() < 0.07):
                size = min(hosted, rng.randint(*GRASSROOTS_COMMITTEE_MEMBERS))
                if first:
                    size = min(size, hosted - 2 * GRASSROOTS_CELL_MEMBERS[0])
                elif hosted - size < GRASSROOTS_CELL_MEMBERS[0]:
                    size = hosted
                self._committee(commune, place, size)
            else:
                size = min(hosted, rng.randint(*GRASSROOTS_CELL_MEMBERS))
                if hosted - size < GRASSROOTS_CELL_MEMBERS[0]:
                    size = hosted if hosted <= GRASSROOTS_CELL_MEMBERS[1] else hosted - GRASSROOTS_CELL_MEMBERS[0]
                self._grassroots_cell(commune, place, size)
            hosted -= size
        return commune

    def _cell(self, parent: Unit, name: str, kind: str, size: int, founded: datetime.date, level=Level.CELL) -> Unit:
        earliest = max(founded, D(1960, 1, 1))
        latest = max(earliest, D(1967, 12, 31) if PROFILES[kind].sector == Sector.RESIDENTIAL else D(1990, 12, 31))
        return self.plan.add(
            parent,
            name=name,
            level=level,
            founded_on=random_day(self.rng, earliest, latest) if level == Level.CELL else founded,
            sector=PROFILES[kind].sector,
            kind=kind,
            place=parent.place,
            size=size,
        )

    def _grassroots_cell(self, commune: Unit, place: Place, size: int) -> Unit:
        kind, name = HOSTED_CELLS[self.hosted_cells % len(HOSTED_CELLS)]
        self.hosted_cells += 1
        founded = random_day(self.rng, max(commune.founded_on, D(1975, 1, 1)), D(2005, 12, 31))
        label = name.format(name=place.name, n=len(commune.children) + 1)
        return self._cell(commune, label, kind, size, founded, level=Level.GRASSROOTS_CELL)

    def _committee(self, commune: Unit, place: Place, size: int) -> Unit:
        rng = self.rng
        kind, name, part = HOSTED_COMMITTEES[self.hosted_committees % len(HOSTED_COMMITTEES)]
        founded = random_day(rng, max(commune.founded_on, D(1975, 1, 1)), D(2005, 12, 31))
        committee = self.plan.add(
            commune,
            name=name.format(name=place.name, title=place.title, n=len(commune.children) + 1),
            level=Level.GRASSROOTS_COMMITTEE,
            founded_on=founded,
            sector=PROFILES[kind].sector,
            place=place,
        )
        sizes = cells_for(size, rng, 8, 60, mean=rng.uniform(18, 35))
        # The first committee, then one in three, has a sub-committee (đảng bộ bộ phận) over some cells.
        parent = committee
        if len(sizes) >= 3 and (self.hosted_committees == 0 or rng.random() < 0.35):
            parent = self.plan.add(
                committee,
                name=f"Đảng bộ bộ phận {part} số 1",
                level=Level.SUB_COMMITTEE,
                founded_on=founded,
                sector=committee.sector,
                place=place,
            )
        self.hosted_committees += 1
        for i, cell_size in enumerate(sizes):
            owner = parent if i < 2 else committee
            self._cell(owner, f"Chi bộ {part} {i + 1}", kind, cell_size, founded)
        return committee

    def mirror(self, new: Unit, olds: list[Unit]) -> None:
        """The old units the units under the new commune `new` succeeded, under the old communes `olds`."""
        rng = self.rng
        standard = {kind for kind, _name in COMMUNE_CELLS}
        for child in list(new.children):
            if child.level == Level.CELL and child.kind in standard:
                # The same cell of every old commune (each had its agency, police, school ... cells).
                for old in olds:
                    self._predecessor(child, old)
            elif child.level == Level.CELL:
                old = rng.choice(olds)
                for _ in range(2 if rng.random() < 0.45 else 1):
                    self._predecessor(child, old)
            else:
                self._mirror_unit(child, rng.choice(olds))

    def _predecessor(self, successor: Unit, parent: Unit, founded: datetime.date | None = None) -> Unit:
        rng = self.rng
        if founded is None:
            earliest = max(parent.founded_on, D(1960, 1, 1))
            founded = random_day(rng, earliest, max(earliest, D(1990, 12, 31)))
        new_place, old_place = successor.commune.place, parent.commune.place
        assert new_place is not None and old_place is not None
        name = successor.name.replace(new_place.title, old_place.title).replace(new_place.name, old_place.name)
        if successor.sector == Sector.RESIDENTIAL and successor.predecessors:
            name = f"{name} {len(successor.predecessors) + 1}"
        old = self.plan.add(
            parent,
            name=name,
            level=successor.level,
            founded_on=founded,
            sector=successor.sector,
            kind=successor.kind,
            place=parent.place,
            dissolved_on=REORGANISATION_DAY,
            merged_into=successor,
        )
        successor.predecessors.append(old)
        return old

    def _mirror_unit(self, successor: Unit, parent: Unit, founded: datetime.date | None = None) -> Unit:
        if founded is None:
            earliest = max(parent.founded_on, D(1975, 1, 1))
            founded = random_day(self.rng, earliest, max(earliest, D(2005, 12, 31)))
        old = self._predecessor(successor, parent, founded)
        for child in successor.children:
            if child.holds_members:
                self._predecessor(child, old, founded)
            else:
                self._mirror_unit(child, old, founded)
        return old


def plan_tree(members: int, rng: random.Random) -> Plan:
    plan = Plan()
    province = plan.add(None, name=PROVINCE_NAME, level=Level.PROVINCE, founded_on=D(1946, 10, 20))
    plan.province = province
    trees = TreePlanner(plan, rng)
    names = place_names(rng)
    sizes = commune_sizes(members, rng)
    # The reorganised communes come last, grouped four to a district; at least one in any build.
    reorganised = max(1, round(len(sizes) * REORGANISED_SHARE)) if len(sizes) > 1 else 0
    standard = len(sizes) - reorganised
    for size in sizes[:standard]:
        trees.commune(province, next(names), size, random_day(rng, D(1950, 1, 1), D(1962, 12, 31)))
    districts: list[Unit] = []
    for i, size in enumerate(sizes[standard:]):
        if i % NEW_COMMUNES_PER_DISTRICT == 0:
            district_name = next(names).name
            districts.append(
                plan.add(
                    province,
                    name=f"Đảng bộ huyện {district_name}",
                    level=Level.DISTRICT,
                    founded_on=random_day(rng, D(1948, 1, 1), D(1949, 12, 31)),
                    dissolved_on=REORGANISATION_DAY,
                )
            )
        district = districts[-1]
        olds = []
        for _ in range(rng.randint(*MERGED_COMMUNES)):
            place = next(names)
            olds.append(
                plan.add(
                    district,
                    name=f"Đảng bộ xã {place.name}",
                    level=Level.COMMUNE,
                    founded_on=random_day(rng, D(1950, 1, 1), D(1960, 12, 31)),
                    place=place,
                    dissolved_on=REORGANISATION_DAY,
                )
            )
        new = trees.commune(province, next(names), size, REORGANISATION_DAY)
        for old in olds:
            old.merged_into = new
            new.predecessors.append(old)
        trees.mirror(new, olds)
    _found_successors(province)
    return plan


def _found_successors(province: Unit) -> None:
    """Every unit under a commune founded on the reorganisation day was founded that day too."""
    for commune in province.children:
        if commune.founded_on == REORGANISATION_DAY:
            stack = list(commune.children)
            while stack:
                unit = stack.pop()
                unit.founded_on = REORGANISATION_DAY
                stack += unit.children


# --- the rolls --------------------------------------------------------------------------------


def _death_rate(age: int) -> float:
    return next(rate for threshold, rate in DEATH_BY_AGE if age >= threshold)


class RollPlanner:
    def __init__(self, plan: Plan, rng: random.Random, today: datetime.date):
        self.plan, self.rng, self.today = plan, rng, today
        self.admissions = AdmissionDrawer(rng, today, recent_weight=RECENT_ADMISSIONS_WEIGHT)
        # Stable cells (no predecessor, founded long ago) exchange transfers inside their sector.
        self.stable: dict[str, list[Unit]] = {}
        for cell in plan.cells:
            if cell.active_today and not cell.predecessors:
                self.stable.setdefault(cell.sector, []).append(cell)

    def draw(self) -> list[Roll]:
        rolls = []
        for cell in self.plan.cells:
            if not cell.active_today:
                continue
            exits_left = cell.size - CELL_MEMBERS[0]
            for _ in range(cell.size):
                roll = self._one(cell, allow_exit=exits_left > 0)
                exits_left -= bool(roll.exit_kind)
                rolls.append(roll)
        self._number_cards(rolls)
        return rolls

    def _one(self, cell: Unit, *, allow_exit: bool) -> Roll:
        rng, today = self.rng, self.today
        profile = PROFILES[cell.kind]
        earliest = min([p.founded_on for p in cell.predecessors] or [cell.founded_on])
        admitted, born = self.admissions.draw(profile.ages, earliest)
        pupil = bool(profile.pupil_share) and add_years(admitted, 1) > today and rng.random() < profile.pupil_share
        if pupil:
            born = add_years(admitted, -18) - datetime.timedelta(days=rng.randint(1, 300))
        gender = Gender.FEMALE if rng.random() < profile.female_share else Gender.MALE
        admitted_in = cell
        if cell.predecessors and admitted < cell.founded_on:
            admitted_in = rng.choice([p for p in cell.predecessors if p.founded_on <= admitted] or cell.predecessors)
        roll = Roll(cell, admitted_in, admitted, born, gender, pupil, rng.random() < 0.003, joined=admitted)
        window = max(MOVEMENTS_FROM, admitted + datetime.timedelta(days=60))
        years = max((today - window).days, 0) / 365
        if not cell.predecessors and years and rng.random() < MOVES_WITHIN[profile.ages] * years:
            source = rng.choice(self.stable[cell.sector])
            if source is not cell and source.founded_on <= admitted:
                roll.admitted_in = source
                roll.transfer_on = roll.joined = random_day(rng, window, today)
        if roll.transfer_on is None and allow_exit:
            self._exit(roll, profile.ages, age_on(born, today))
        if roll.admitted_in is not cell and roll.transfer_on is None:
            # Admitted in an old cell: moved with its merge if still on the roll that day.
            if roll.exit_on is not None and roll.exit_on < REORGANISATION_DAY:
                roll.cell = roll.admitted_in
            else:
                roll.reorganised = True
                roll.joined = REORGANISATION_DAY
        self._status(roll)
        return roll

    def _exit(self, roll: Roll, ages: str, age: int) -> None:
        rng, today = self.rng, self.today
        window = max(MOVEMENTS_FROM, roll.admitted + datetime.timedelta(days=30))
        years = max((today - window).days, 0) / 365
        if not years:
            return
        chances = (
            (MovementKind.DIED, _death_rate(age)),
            (MovementKind.TRANSFERRED_OUT, LEAVES_PROVINCE[ages] if age < 60 else 0.0005),
            (MovementKind.STRUCK_OFF, STRUCK_OFF),
            (MovementKind.EXPELLED, EXPELLED),
        )
        draw = rng.random()
        for kind, yearly in chances:
            draw -= yearly * years
            if draw < 0:
                roll.exit_kind, roll.exit_on = kind, random_day(rng, window, today)
                return

    def _status(self, roll: Roll) -> None:
        """Ceremony within a month of the decision, recognition a year on (as members.demo.rolls)."""
        rng = self.rng
        until = roll.exit_on or self.today
        ceremony = roll.admitted + datetime.timedelta(days=rng.randint(5, 30))
        roll.ceremony = ceremony if ceremony <= until else None
        probation_ends = add_years(roll.admitted, 1)
        if probation_ends <= until:
            roll.recognised = min(probation_ends + datetime.timedelta(days=rng.randint(0, 45)), until)

    @staticmethod
    def _number_cards(rolls: list[Roll]) -> None:
        recognised = sorted((i for i, r in enumerate(rolls) if r.recognised), key=lambda i: (rolls[i].recognised, i))
        for number, i in enumerate(recognised, start=1):
            rolls[i].card = f"{19_000_000 + number:08d}"


# --- writing ----------------------------------------------------------------------------------


def write_tree(plan: Plan) -> None:
    """Organisations with their materialised paths (treebeard's numbering), parents first."""
    steps: dict[int, int] = {}
    for unit in plan.units:
        if unit.parent is None:
            unit.path = Organisation._get_path(None, 1, 1)  # type: ignore[attr-defined]
        else:
            steps[unit.parent.index] = steps.get(unit.parent.index, 0) + 1
            depth = len(unit.parent.path) // Organisation.steplen + 1
            unit.path = Organisation._get_path(  # type: ignore[attr-defined]
                unit.parent.path, depth, steps[unit.parent.index]
            )
    rows = [
        Organisation(
            path=u.path,
            depth=len(u.path) // Organisation.steplen,
            numchild=len(u.children),
            code=u.code,
            name=u.name,
            level=u.level,
            sector=u.sector,
            founded_on=u.founded_on,
            dissolved_on=u.dissolved_on,
        )
        for u in plan.units
    ]

    def link_merges() -> None:
        for unit, row in zip(plan.units, rows, strict=True):
            unit.pk = row.pk
        for unit, row in zip(plan.units, rows, strict=True):
            if unit.merged_into is not None:
                row.merged_into_id = unit.merged_into.pk

    bulk.write(rows, Organisation, reason=HISTORY_REASON, before=(link_merges, ["merged_into"]))


def _movements(roll: Roll) -> list[MemberMovement]:
    assert roll.pk is not None and roll.admitted_in.pk is not None and roll.cell.pk is not None
    rows = [
        MemberMovement(
            member_id=roll.pk,
            kind=MovementKind.ADMITTED,
            date=roll.admitted,
            organisation_id=roll.admitted_in.pk,
            note="Kết nạp lại" if roll.readmitted else "",
        )
    ]
    if roll.transfer_on or roll.reorganised:
        day = roll.transfer_on or REORGANISATION_DAY
        if roll.transfer_on:
            note = NOTES["moved_home" if roll.cell.sector == Sector.RESIDENTIAL else "moved_job"]
        else:
            note = f"Sáp nhập “{roll.admitted_in.name}” vào “{roll.cell.name}”"
        rows.append(MemberMovement(member_id=roll.pk, kind=MovementKind.TRANSFERRED_OUT, date=day, note=note))
        rows[-1].organisation_id = roll.admitted_in.pk
        rows.append(MemberMovement(member_id=roll.pk, kind=MovementKind.TRANSFERRED_IN, date=day, note=note))
        rows[-1].organisation_id = roll.cell.pk
    if roll.exit_kind:
        assert roll.exit_on is not None
        rows.append(
            MemberMovement(
                member_id=roll.pk,
                kind=roll.exit_kind,
                date=roll.exit_on,
                organisation_id=roll.cell.pk,
                note=NOTES[roll.exit_kind],
            )
        )
    return rows


def write_rolls(plan: Plan, people: PersonFactory, progress: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    """Persons, members and their movements, CHUNK members at a time, each with its history rows."""
    counts = {"persons": 0, "members": 0, "movements": 0}
    rolls = plan.rolls
    for start in range(0, len(rolls), CHUNK):
        chunk = rolls[start : start + CHUNK]
        persons = [
            people.person(
                kind=r.cell.kind,
                commune=r.cell.place or r.cell.commune.place,  # type: ignore[arg-type]
                born=r.born,
                gender=r.gender,
                pupil=r.pupil,
            )
            for r in chunk
        ]
        bulk.write(persons, Person, reason=HISTORY_REASON)
        members = [
            Member(
                person_id=p.pk,
                cell_id=r.cell.key,
                status=r.status,
                admission_decision_date=r.admitted,
                ceremony_date=r.ceremony,
                recognition_date=r.recognised,
                card_number=r.card,
                is_readmitted=r.readmitted,
            )
            for r, p in zip(chunk, persons, strict=True)
        ]
        bulk.write(members, Member, reason=HISTORY_REASON)
        movements = []
        for r, m, p in zip(chunk, members, persons, strict=True):
            r.pk, r.person_pk = m.pk, p.pk
            movements += _movements(r)
        bulk.write(movements, MemberMovement, reason=HISTORY_REASON)
        counts["persons"] += len(persons)
        counts["members"] += len(members)
        counts["movements"] += len(movements)
        progress(f"  … {counts['members']:,} / {len(rolls):,} đảng viên đã ghi".replace(",", "."))
    return counts


def write_terms(plan: Plan, rng: random.Random) -> int:
    """The 2020-2025 terms of the old districts and communes, cut short by the reorganisation."""
    rows = [
        OrganisationTerm(
            organisation_id=u.key,
            first_year=2020,
            start=random_day(rng, D(2020, 4, 15), D(2020, 10, 15)),
            end=D(2025, 6, 30),
        )
        for u in plan.units
        if u.level in (Level.DISTRICT, Level.COMMUNE) and u.dissolved_on == REORGANISATION_DAY
    ]
    bulk.write(rows, OrganisationTerm, reason=HISTORY_REASON)
    return len(rows)


# --- logins -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleLogin:
    username: str
    role: str
    post: str  # a level of the tree
    title: str


SCALE_LOGINS: tuple[ScaleLogin, ...] = (
    ScaleLogin("quantri", Role.ADMINISTRATOR, Level.PROVINCE, "Quản trị hệ thống"),
    ScaleLogin("bantochuc.tinh", Role.BOARD_STAFF, Level.PROVINCE, "Cán bộ Ban Tổ chức Tỉnh ủy"),
    ScaleLogin("bithu.xa", Role.COMMITTEE_SECRETARY, Level.COMMUNE, "Bí thư Đảng ủy xã"),
    ScaleLogin("phobithu.xa", Role.COMMITTEE_DEPUTY, Level.COMMUNE, "Phó Bí thư Thường trực Đảng ủy xã"),
    ScaleLogin("bantochuc.xa", Role.BOARD_STAFF, Level.COMMUNE, "Cán bộ Ban Xây dựng Đảng Đảng ủy xã"),
    ScaleLogin("bithu.dangbocs", Role.COMMITTEE_SECRETARY, Level.GRASSROOTS_COMMITTEE, "Bí thư Đảng ủy cơ sở"),
    ScaleLogin("phobithu.dangbocs", Role.COMMITTEE_DEPUTY, Level.GRASSROOTS_COMMITTEE, "Phó Bí thư Đảng ủy cơ sở"),
    ScaleLogin("bantochuc.dangbocs", Role.BOARD_STAFF, Level.GRASSROOTS_COMMITTEE, "Cán bộ tổ chức Đảng ủy cơ sở"),
    ScaleLogin("bithu.chibo", Role.CELL_SECRETARY, Level.CELL, "Bí thư chi bộ"),
    ScaleLogin("bithu.chibo2", Role.CELL_SECRETARY, Level.CELL, "Bí thư chi bộ"),
    ScaleLogin("bithu.chibocs", Role.CELL_SECRETARY, Level.GRASSROOTS_CELL, "Bí thư chi bộ cơ sở"),
)
SCALE_USERNAMES = tuple(login.username for login in SCALE_LOGINS)


def login_posts(plan: Plan) -> dict[str, Unit]:
    """Where each login sits: the first commune, its first two residential cells, its first hosted units."""
    province = plan.province
    assert province is not None
    commune = next(u for u in province.children if u.level == Level.COMMUNE)
    residential = [c for c in commune.children if c.sector == Sector.RESIDENTIAL]
    # Every build of 1,000 members or more has both; the fallbacks only keep a smaller one working.
    committee = next(iter(plan.of_level(Level.GRASSROOTS_COMMITTEE)), commune)
    grassroots_cell = next(iter(plan.of_level(Level.GRASSROOTS_CELL)), residential[0])
    return {
        "quantri": province,
        "bantochuc.tinh": province,
        "bithu.xa": commune,
        "phobithu.xa": commune,
        "bantochuc.xa": commune,
        "bithu.dangbocs": committee,
        "phobithu.dangbocs": committee,
        "bantochuc.dangbocs": committee,
        "bithu.chibo": residential[0],
        "bithu.chibo2": residential[1 % len(residential)] if len(residential) > 1 else commune.children[0],
        "bithu.chibocs": grassroots_cell,
    }


def create_logins(plan: Plan, people: PersonFactory, rng: random.Random) -> list[LoginRow]:
    """One user per login of SCALE_LOGINS; those at a cell or committee are members of their unit."""
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)
    posts = login_posts(plan)
    on_roll: dict[int, list[Roll]] = {}
    for roll in plan.rolls:
        if roll.status == MemberStatus.FULL:
            on_roll.setdefault(roll.cell.index, []).append(roll)
    rows = []
    taken: set[int] = set()
    for login in SCALE_LOGINS:
        unit = posts[login.username]
        cell = unit if unit.holds_members else next((c for c in _cells_under(unit) if on_roll.get(c.index)), None)
        pool = [r for r in on_roll.get(cell.index, [])[:3] if r.person_pk not in taken] if cell else []
        if login.post == Level.PROVINCE or not pool:
            full_name = people.full_name(rng.choice((Gender.MALE, Gender.FEMALE)), born=1975)
        else:
            roll = pool[0]
            assert roll.person_pk is not None
            taken.add(roll.person_pk)
            full_name = Person.objects.get(pk=roll.person_pk).full_name
        first_name, last_name = split_name(full_name)
        is_admin = login.role == Role.ADMINISTRATOR
        user = User.objects.create(
            username=login.username,
            password=password,
            first_name=first_name,
            last_name=last_name,
            email=f"{login.username}@minhson.example.vn",
            is_staff=is_admin,
            is_superuser=is_admin,
        )
        RoleAssignment.objects.create(user=user, organisation_id=unit.key, role=login.role)
        rows.append(LoginRow(login.username, DEMO_PASSWORD, login.title, unit.name, display_name(user)))
    return rows


def _cells_under(unit: Unit) -> Iterator[Unit]:
    stack = list(reversed(unit.children))
    while stack:
        child = stack.pop()
        if child.holds_members:
            yield child
        stack += list(reversed(child.children))
