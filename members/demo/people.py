"""Personal records plausible for where a member sits: the cell's sector, the commune's people.

A cell's *profile* says who its members are (a village cell is older and mostly farmers, a
school cell mostly women teachers with degrees, a police cell young men); the commune says which
peoples and religions are around. Names are put together in Vietnamese order (family name, middle
name, given name) because Faker's vi_VN `name()` uses the Western order and adds titles; Faker,
seeded, still does the drawing.
"""

import datetime
import random
from collections import OrderedDict
from dataclasses import dataclass

from faker import Faker
from faker.providers.person.vi_VN import Provider as VietnameseNames

from ..models import Person
from ..vocabulary import Gender, GeneralEducation, Occupation, ProfessionalTraining, Sector
from .dates import age_on
from .place_names import CommuneKind, CommuneName

T = ProfessionalTraining
Job = Occupation


class Ages:
    """How old a cell's members are, which bounds when they can have been admitted."""

    RESIDENTIAL = "residential"  # born 1950 onwards, many retired
    WORKING = "working"  # of working age today, admitted after their training
    ARMED = "armed"  # police and military: young, admitted early


@dataclass(frozen=True)
class Profile:
    sector: str
    ages: str
    female_share: float
    training: dict[str, float]
    occupation: dict[str, float]
    # Relative roll size, drawn once per cell: (fewest, most).
    roll: tuple[int, int] = (8, 20)
    # A grassroots cell (chi bộ cơ sở) has fewer than 30 members by definition.
    roll_cap: int | None = None
    business_owner_share: float = 0.0
    pupil_share: float = 0.0


_RESIDENTIAL_TRAINING: dict[str, float] = {T.NONE: 55, T.VOCATIONAL: 25, T.COLLEGE: 8, T.UNIVERSITY: 12}
_CIVIL_TRAINING: dict[str, float] = {T.UNIVERSITY: 70, T.MASTER: 20, T.COLLEGE: 5, T.VOCATIONAL: 5}
_TEACHER_TRAINING: dict[str, float] = {T.UNIVERSITY: 75, T.COLLEGE: 15, T.MASTER: 10}
_HEALTH_TRAINING: dict[str, float] = {T.UNIVERSITY: 50, T.COLLEGE: 20, T.VOCATIONAL: 20, T.MASTER: 8, T.DOCTORATE: 2}
_ARMED_TRAINING: dict[str, float] = {T.VOCATIONAL: 30, T.COLLEGE: 20, T.UNIVERSITY: 45, T.MASTER: 5}
_FACTORY_TRAINING: dict[str, float] = {T.NONE: 10, T.VOCATIONAL: 35, T.COLLEGE: 15, T.UNIVERSITY: 40}
_PRIVATE_TRAINING: dict[str, float] = {T.NONE: 25, T.VOCATIONAL: 35, T.COLLEGE: 15, T.UNIVERSITY: 25}
_COOPERATIVE_TRAINING: dict[str, float] = {T.NONE: 40, T.VOCATIONAL: 35, T.COLLEGE: 10, T.UNIVERSITY: 15}

R, W, A = Ages.RESIDENTIAL, Ages.WORKING, Ages.ARMED

PROFILES: dict[str, Profile] = {
    # Residential cells: thôn (lowland), bản (upland), tổ dân phố (urban).
    "village": Profile(
        Sector.RESIDENTIAL, R, 0.33, _RESIDENTIAL_TRAINING,
        {Job.FARMER: 55, Job.OTHER: 28, Job.NON_STATE_ENTERPRISE_WORKER: 14, Job.STATE_ENTERPRISE_WORKER: 3},
        roll=(30, 75), business_owner_share=0.01,
    ),
    "hamlet": Profile(
        Sector.RESIDENTIAL, R, 0.30, {T.NONE: 70, T.VOCATIONAL: 22, T.COLLEGE: 4, T.UNIVERSITY: 4},
        {Job.FARMER: 85, Job.OTHER: 12, Job.NON_STATE_ENTERPRISE_WORKER: 3},
        roll=(15, 40),
    ),
    "street": Profile(
        Sector.RESIDENTIAL, R, 0.40, {T.NONE: 30, T.VOCATIONAL: 25, T.COLLEGE: 13, T.UNIVERSITY: 32},
        {Job.OTHER: 55, Job.NON_STATE_ENTERPRISE_WORKER: 32, Job.FARMER: 3, Job.STATE_ENTERPRISE_WORKER: 10},
        roll=(25, 70), business_owner_share=0.03,
    ),
    # Commune agencies, schools, the health station, the commune police and military.
    "party_agency": Profile(Sector.AGENCY, W, 0.45, _CIVIL_TRAINING, {Job.CIVIL_SERVANT: 100}, roll=(10, 22)),
    "government": Profile(Sector.AGENCY, W, 0.40, _CIVIL_TRAINING, {Job.CIVIL_SERVANT: 100}, roll=(12, 28)),
    "military": Profile(Sector.ARMED_FORCES, A, 0.05, _ARMED_TRAINING, {Job.ARMED_FORCES: 100}, roll=(6, 14)),
    "police": Profile(Sector.ARMED_FORCES, A, 0.12, _ARMED_TRAINING, {Job.ARMED_FORCES: 100}, roll=(8, 20)),
    "kindergarten": Profile(
        Sector.PUBLIC_SERVICE, W, 0.96, _TEACHER_TRAINING, {Job.PUBLIC_EMPLOYEE: 100}, roll=(5, 12)
    ),
    "school": Profile(Sector.PUBLIC_SERVICE, W, 0.72, _TEACHER_TRAINING, {Job.PUBLIC_EMPLOYEE: 100}, roll=(8, 18)),
    "clinic": Profile(Sector.PUBLIC_SERVICE, W, 0.60, _HEALTH_TRAINING, {Job.PUBLIC_EMPLOYEE: 100}, roll=(4, 9)),
    # Units of grassroots committees and grassroots cells.
    "high_school": Profile(
        Sector.PUBLIC_SERVICE, W, 0.68, _TEACHER_TRAINING, {Job.PUBLIC_EMPLOYEE: 100}, roll=(6, 14), pupil_share=0.4
    ),
    "hospital": Profile(Sector.PUBLIC_SERVICE, W, 0.62, _HEALTH_TRAINING, {Job.PUBLIC_EMPLOYEE: 100}, roll=(8, 18)),
    "police_team": Profile(Sector.ARMED_FORCES, A, 0.12, _ARMED_TRAINING, {Job.ARMED_FORCES: 100}, roll=(10, 22)),
    "cement": Profile(
        Sector.STATE_ENTERPRISE, W, 0.22, _FACTORY_TRAINING, {Job.STATE_ENTERPRISE_WORKER: 100}, roll=(10, 30)
    ),
    "irrigation": Profile(
        Sector.STATE_ENTERPRISE, W, 0.25, _FACTORY_TRAINING, {Job.STATE_ENTERPRISE_WORKER: 100},
        roll=(14, 26), roll_cap=29,
    ),
    "garment": Profile(
        Sector.NON_STATE_ENTERPRISE, W, 0.75, _PRIVATE_TRAINING, {Job.NON_STATE_ENTERPRISE_WORKER: 100},
        roll=(10, 25), business_owner_share=0.01,
    ),
    "food_company": Profile(
        Sector.NON_STATE_ENTERPRISE, W, 0.40, _PRIVATE_TRAINING, {Job.NON_STATE_ENTERPRISE_WORKER: 100},
        roll=(8, 20), roll_cap=29, business_owner_share=0.05,
    ),
    "cooperative": Profile(
        Sector.OTHER, W, 0.35, _COOPERATIVE_TRAINING, {Job.FARMER: 55, Job.OTHER: 45}, roll=(6, 15), roll_cap=29
    ),
    "credit_fund": Profile(Sector.OTHER, W, 0.55, _PRIVATE_TRAINING, {Job.OTHER: 100}, roll=(5, 12), roll_cap=29),
    "treasury": Profile(Sector.AGENCY, W, 0.55, _CIVIL_TRAINING, {Job.CIVIL_SERVANT: 100}, roll=(8, 16), roll_cap=29),
    "boarding_school": Profile(
        Sector.PUBLIC_SERVICE, W, 0.60, _TEACHER_TRAINING, {Job.PUBLIC_EMPLOYEE: 100}, roll=(10, 22), roll_cap=29
    ),
}  # fmt: skip

# --- peoples and religions ------------------------------------------------------------------

_ETHNICITY: dict[str, dict[str, float]] = {
    CommuneKind.LOWLAND: {"Kinh": 97, "Mường": 1.5, "Tày": 1, "Nùng": 0.5},
    CommuneKind.URBAN: {"Kinh": 94, "Tày": 2.5, "Mường": 1, "Thái": 1, "Nùng": 1, "Dao": 0.5},
    CommuneKind.UPLAND: {"Kinh": 22, "Thái": 28, "H'Mông": 20, "Tày": 14, "Dao": 9, "Mường": 4, "Nùng": 3},
}
# Teachers, police and officials posted to upland communes are more often Kinh than the villagers.
_UPLAND_STAFF_ETHNICITY = {"Kinh": 50, "Thái": 17, "Tày": 13, "H'Mông": 8, "Dao": 5, "Mường": 4, "Nùng": 3}
_RELIGION: dict[str, dict[str, float]] = {
    CommuneKind.LOWLAND: {"": 94, "Phật giáo": 5, "Công giáo": 1},
    CommuneKind.URBAN: {"": 92, "Phật giáo": 6, "Công giáo": 2},
    CommuneKind.UPLAND: {"": 97, "Phật giáo": 1.5, "Tin Lành": 1.5},
    "parish": {"": 84, "Công giáo": 12, "Phật giáo": 4},
}

# --- names ------------------------------------------------------------------------------------

_KINH_SURNAMES = {
    "Nguyễn": 38,
    "Trần": 11,
    "Lê": 9.5,
    "Phạm": 7,
    "Hoàng": 5,
    "Phan": 4.5,
    "Vũ": 3.9,
    "Đặng": 2.1,
    "Bùi": 2,
    "Đỗ": 1.4,
    "Hồ": 1.3,
    "Ngô": 1.3,
    "Dương": 1,
    "Đinh": 1,
    "Trịnh": 0.8,
    "Đào": 0.8,
    "Mai": 0.6,
    "Hà": 0.6,
    "Lý": 0.5,
    "Cao": 0.5,
    "Lương": 0.5,
    "Phùng": 0.4,
    "Tạ": 0.3,
    "Lưu": 0.3,
    "Chu": 0.3,
    "Tô": 0.3,
    "Kiều": 0.2,
    "Nghiêm": 0.2,
    "Lại": 0.2,
    "Vương": 0.2,
    "Khúc": 0.1,
}
_SURNAMES = {
    "Tày": {"Hoàng": 25, "Nông": 20, "Bế": 10, "Ma": 10, "Lương": 10, "Hà": 10, "Triệu": 5, "Lục": 5, "Đàm": 5},
    "Thái": {"Lò": 25, "Lường": 20, "Cầm": 15, "Quàng": 10, "Tòng": 10, "Vì": 10, "Hà": 10},
    "Mường": {"Bùi": 40, "Đinh": 25, "Quách": 10, "Hà": 10, "Xa": 5, "Cao": 5, "Bạch": 5},
    "H'Mông": {"Giàng": 20, "Sùng": 15, "Vàng": 15, "Thào": 15, "Lý": 10, "Mùa": 10, "Hầu": 5, "Hờ": 5, "Ly": 5},
    "Dao": {"Triệu": 30, "Bàn": 25, "Lý": 15, "Đặng": 15, "Phùng": 10, "Chảo": 5},
    "Nùng": {"Nông": 20, "Hoàng": 20, "Lương": 15, "Lý": 10, "Vi": 10, "Lăng": 10, "Chu": 10, "Mã": 5},
}
_MIDDLE: dict[str, dict[str, float]] = {
    Gender.MALE: {
        "Văn": 40,
        "Đức": 8,
        "Minh": 8,
        "Hữu": 6,
        "Quang": 6,
        "Thanh": 5,
        "Ngọc": 4,
        "Xuân": 4,
        "Công": 4,
        "Duy": 4,
        "Đình": 4,
        "Mạnh": 3,
        "Tiến": 3,
        "Trọng": 3,
        "Thế": 3,
        "Hoàng": 3,
        "Anh": 3,
        "Bá": 2,
        "Việt": 2,
        "Tuấn": 2,
        "Trung": 2,
        "Khắc": 1,
    },
    Gender.FEMALE: {
        "Thị": 55,
        "Thu": 6,
        "Ngọc": 5,
        "Thanh": 5,
        "Hồng": 4,
        "Minh": 3,
        "Phương": 3,
        "Thùy": 3,
        "Kim": 3,
        "Mai": 2,
        "Hải": 2,
        "Bích": 2,
        "Khánh": 2,
        "Quỳnh": 2,
        "Diệu": 1,
        "Lan": 1,
    },
}
_GIVEN: dict[str, tuple[str, ...]] = {
    Gender.MALE: (
        "An", "Anh", "Bảo", "Bình", "Cường", "Chiến", "Công", "Dũng", "Duy", "Dương", "Đạt", "Đông", "Đức",
        "Giang", "Hải", "Hào", "Hiếu", "Hiệp", "Hòa", "Hoàng", "Hùng", "Huy", "Hưng", "Khánh", "Khoa",
        "Kiên", "Lâm", "Long", "Lợi", "Luân", "Mạnh", "Minh", "Nam", "Nghĩa", "Nhân", "Phong", "Phúc",
        "Quân", "Quang", "Quý", "Sơn", "Tài", "Tâm", "Thắng", "Thành", "Thịnh", "Toàn", "Trung", "Trường",
        "Tú", "Tuấn", "Tùng", "Việt", "Vinh", "Thuận", "Lực", "Tiến", "Định", "Sáng", "Hưởng", "Thái",
    ),
    Gender.FEMALE: (
        "Anh", "Ánh", "Bích", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hòa",
        "Hồng", "Huệ", "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc",
        "Nhung", "Oanh", "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo", "Thanh", "Thu", "Thúy", "Thủy", "Trang",
        "Trâm", "Tuyết", "Uyên", "Vân", "Yến", "Xuân", "Lệ", "Nhàn", "Hậu", "Thơm", "Luyến", "Nhung",
    ),
}  # fmt: skip
_HMONG_MIDDLE: dict[str, dict[str, float]] = {
    Gender.MALE: {"A": 80, "Seo": 12, "Văn": 8},
    Gender.FEMALE: {"Thị": 80, "Seo": 10, "Mí": 10},
}
_HMONG_GIVEN: dict[str, tuple[str, ...]] = {
    Gender.MALE: ("Páo", "Sử", "Chứ", "Dế", "Chống", "Lử", "Tủa", "Pó", "Dình", "Chơ", "Sính", "Vừ", "Dùng", "Của"),
    Gender.FEMALE: ("Mỷ", "Dợ", "Sua", "Mai", "Chở", "Dung", "Súa", "Pàng", "Sí", "Ly", "Mỉ", "Dia"),
}

# --- records ----------------------------------------------------------------------------------

# First three digits of a citizen ID: the province where the birth was registered. Minh Sơn is
# fictional, so it borrows one code; a few members were born elsewhere.
_BIRTH_PROVINCE_CODES = {"019": 85, "001": 4, "022": 3, "025": 3, "010": 2, "014": 2, "037": 1}
# Mobile prefixes of the three large networks.
_PHONE_PREFIXES = (
    "032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098",
    "081", "082", "083", "084", "085", "088", "091", "094", "070", "076", "077", "078", "079", "089",
    "090", "093",
)  # fmt: skip
_WITH_CITIZEN_ID = 0.96


def _weighted(mapping: dict) -> OrderedDict:
    return OrderedDict(mapping)


class PersonFactory:
    """Draws personal records; one instance per build so the unique citizen IDs are tracked."""

    def __init__(self, *, fake: Faker, rng: random.Random, today: datetime.date):
        self.fake = fake
        self.rng = rng
        self.today = today
        self._citizen_ids: set[str] = set()
        # Faker draws weighted choices from OrderedDicts; build them once, not per person.
        self._ethnicity = {k: _weighted(v) for k, v in _ETHNICITY.items()}
        self._upland_staff = _weighted(_UPLAND_STAFF_ETHNICITY)
        self._religion = {k: _weighted(v) for k, v in _RELIGION.items()}
        self._kinh_surnames = _weighted(_KINH_SURNAMES)
        self._surnames = {k: _weighted(v) for k, v in _SURNAMES.items()}
        self._middle = {k: _weighted(v) for k, v in _MIDDLE.items()}
        self._hmong_middle = {k: _weighted(v) for k, v in _HMONG_MIDDLE.items()}
        self._given: dict[str, tuple[str, ...]] = {
            Gender.MALE: tuple(dict.fromkeys(_GIVEN[Gender.MALE] + VietnameseNames.first_names_male)),
            Gender.FEMALE: tuple(dict.fromkeys(_GIVEN[Gender.FEMALE] + VietnameseNames.first_names_female)),
        }
        self._birth_codes = _weighted(_BIRTH_PROVINCE_CODES)
        self._training = {k: _weighted(p.training) for k, p in PROFILES.items()}
        self._occupation = {k: _weighted(p.occupation) for k, p in PROFILES.items()}

    def gender(self, profile: Profile) -> str:
        return Gender.FEMALE if self.rng.random() < profile.female_share else Gender.MALE

    def full_name(self, gender: str, ethnicity: str = "Kinh", born: int = 1980) -> str:
        pick = self.fake.random_element
        if ethnicity == "H'Mông":
            middle = pick(self._hmong_middle[gender])
            given = pick(_HMONG_GIVEN[gender])
            return f"{pick(self._surnames[ethnicity])} {middle} {given}"
        surname = pick(self._surnames.get(ethnicity, self._kinh_surnames))
        # Older members carry the plain "Văn"/"Thị" middle names more often than the young.
        if born < 1970 and self.rng.random() < 0.35:
            middle = "Văn" if gender == Gender.MALE else "Thị"
        else:
            middle = pick(self._middle[gender])
        given = pick(self._given[gender])
        while given in (surname, middle):  # "Vũ Tuấn Vũ" happens, but reads like a typo in a demo
            given = pick(self._given[gender])
        return f"{surname} {middle} {given}"

    def person(self, *, kind: str, commune: CommuneName, born: datetime.date, gender: str, pupil: bool = False):
        profile = PROFILES[kind]
        rng, pick = self.rng, self.fake.random_element
        if commune.kind == CommuneKind.UPLAND and profile.ages != Ages.RESIDENTIAL:
            ethnicity = pick(self._upland_staff)
        else:
            ethnicity = pick(self._ethnicity[commune.kind])
        religion = pick(self._religion["parish" if commune.parish else commune.kind])
        age = age_on(born, self.today)
        occupation = Job.PUPIL if pupil else pick(self._occupation[kind])
        if profile.ages == Ages.RESIDENTIAL and age >= 60 and rng.random() < 0.65:
            occupation = Job.OTHER  # retired
        return Person(
            full_name=self.full_name(gender, ethnicity, born.year),
            gender=gender,
            date_of_birth=born,
            ethnicity=ethnicity,
            religion=religion,
            general_education=self._general_education(profile, commune, born, pupil),
            professional_training=T.NONE if pupil else self._training_for(kind, profile, born),
            occupation=occupation,
            phone=self._phone(age),
            citizen_id=self._citizen_id(gender, born),
            is_youth_union_member=age <= 30 and rng.random() < 0.85,
            is_business_owner=rng.random() < profile.business_owner_share,
        )

    def _general_education(self, profile: Profile, commune: CommuneName, born: datetime.date, pupil: bool) -> str:
        roll = self.rng.random()
        if pupil:
            return GeneralEducation.UPPER_SECONDARY
        if profile.ages != Ages.RESIDENTIAL:
            return GeneralEducation.UPPER_SECONDARY if roll < 0.98 else GeneralEducation.LOWER_SECONDARY
        # Schooling reached further for each generation, later in the uplands.
        primary, lower = (0.12, 0.48) if born.year < 1960 else (0.04, 0.36) if born.year < 1976 else (0.0, 0.10)
        if commune.kind == CommuneKind.UPLAND:
            primary, lower = min(primary * 2.5 + 0.05, 0.5), min(lower * 1.3 + 0.1, 0.9)
        if roll < primary:
            return GeneralEducation.PRIMARY
        if roll < primary + lower:
            return GeneralEducation.LOWER_SECONDARY
        return GeneralEducation.UPPER_SECONDARY

    def _training_for(self, kind: str, profile: Profile, born: datetime.date) -> str:
        training = self.fake.random_element(self._training[kind])
        # Older villagers rarely went to college; keep the degrees with the young.
        if profile.ages == Ages.RESIDENTIAL and born.year < 1965 and training != T.NONE and self.rng.random() < 0.4:
            return T.NONE
        return training

    def _phone(self, age: int) -> str:
        if self.rng.random() > (0.95 if age < 75 else 0.7):
            return ""
        return self.rng.choice(_PHONE_PREFIXES) + f"{self.rng.randrange(10**7):07d}"

    def _citizen_id(self, gender: str, born: datetime.date) -> str | None:
        """12 digits: birth province, gender-and-century digit, year of birth, then 6 serial digits."""
        if self.rng.random() > _WITH_CITIZEN_ID:
            return None  # an old record not yet updated to the chip-based ID
        century = 0 if born.year < 2000 else 2
        prefix = (
            f"{self.fake.random_element(self._birth_codes)}{century + (gender == Gender.FEMALE)}{born.year % 100:02d}"
        )
        while True:
            candidate = f"{prefix}{self.rng.randrange(10**6):06d}"
            if candidate not in self._citizen_ids:
                self._citizen_ids.add(candidate)
                return candidate
