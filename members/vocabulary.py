"""The words of the organisation tree and of personal records (docs/domain.md §2 and §6).

Labels are Vietnamese source strings; `locale/en` translates them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("Đảng bộ tỉnh/thành phố")
    DISTRICT = "district", _("Đảng bộ huyện/thị xã/quận")
    COMMUNE = "commune", _("Đảng bộ xã/phường/đặc khu")
    GRASSROOTS_COMMITTEE = "grassroots_committee", _("Đảng bộ cơ sở")
    GRASSROOTS_CELL = "grassroots_cell", _("Chi bộ cơ sở")
    SUB_COMMITTEE = "sub_committee", _("Đảng bộ bộ phận")
    CELL = "cell", _("Chi bộ trực thuộc")


# Which level may sit directly under which. A commune sits under a district before 7/2025 and
# under the province after; cells sit directly under a commune committee (the village cells of
# the seeds) as well as under grassroots committees.
ALLOWED_PARENT_LEVELS: dict[str, frozenset[str]] = {
    Level.PROVINCE: frozenset(),
    Level.DISTRICT: frozenset({Level.PROVINCE}),
    Level.COMMUNE: frozenset({Level.PROVINCE, Level.DISTRICT}),
    Level.GRASSROOTS_COMMITTEE: frozenset({Level.PROVINCE, Level.DISTRICT, Level.COMMUNE}),
    Level.GRASSROOTS_CELL: frozenset({Level.PROVINCE, Level.DISTRICT, Level.COMMUNE}),
    Level.SUB_COMMITTEE: frozenset({Level.GRASSROOTS_COMMITTEE, Level.COMMUNE}),
    Level.CELL: frozenset({Level.COMMUNE, Level.GRASSROOTS_COMMITTEE, Level.SUB_COMMITTEE}),
}

# Members and candidates belong to these levels only.
CELL_LEVELS = frozenset({Level.CELL, Level.GRASSROOTS_CELL})
COMMITTEE_LEVELS = frozenset(set(Level.values) - CELL_LEVELS)


class Sector(models.TextChoices):
    RESIDENTIAL = "residential", _("Nông thôn, khu dân cư")
    AGENCY = "agency", _("Cơ quan")
    PUBLIC_SERVICE = "public_service", _("Đơn vị sự nghiệp")
    STATE_ENTERPRISE = "state_enterprise", _("Doanh nghiệp nhà nước")
    NON_STATE_ENTERPRISE = "non_state_enterprise", _("Doanh nghiệp ngoài nhà nước")
    ARMED_FORCES = "armed_forces", _("Lực lượng vũ trang")
    OTHER = "other", _("Khác")


class Gender(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class GeneralEducation(models.TextChoices):
    PRIMARY = "primary", _("Tiểu học")
    LOWER_SECONDARY = "lower_secondary", _("Trung học cơ sở")
    UPPER_SECONDARY = "upper_secondary", _("Trung học phổ thông")


class ProfessionalTraining(models.TextChoices):
    NONE = "none", _("Chưa qua đào tạo")
    VOCATIONAL = "vocational", _("Sơ cấp, trung cấp")
    COLLEGE = "college", _("Cao đẳng")
    UNIVERSITY = "university", _("Đại học")
    MASTER = "master", _("Thạc sĩ")
    DOCTORATE = "doctorate", _("Tiến sĩ")


class Occupation(models.TextChoices):
    """The occupation rows of Biểu 2-BTCTW."""

    CIVIL_SERVANT = "civil_servant", _("Cán bộ, công chức")
    PUBLIC_EMPLOYEE = "public_employee", _("Viên chức")
    STATE_ENTERPRISE_WORKER = "state_enterprise_worker", _("Người lao động doanh nghiệp nhà nước")
    NON_STATE_ENTERPRISE_WORKER = "non_state_enterprise_worker", _("Người lao động doanh nghiệp ngoài nhà nước")
    FARMER = "farmer", _("Nông dân")
    ARMED_FORCES = "armed_forces", _("Lực lượng vũ trang")
    UNIVERSITY_STUDENT = "university_student", _("Sinh viên")
    PUPIL = "pupil", _("Học sinh")
    OTHER = "other", _("Khác")


class MemberStatus(models.TextChoices):
    PROBATIONARY = "probationary", _("Dự bị")
    FULL = "full", _("Chính thức")
    LEFT = "left", _("Đã ra khỏi danh sách")


ACTIVE_MEMBER_STATUSES = (MemberStatus.PROBATIONARY, MemberStatus.FULL)


class MovementKind(models.TextChoices):
    ADMITTED = "admitted", _("Kết nạp")
    TRANSFERRED_IN = "transferred_in", _("Chuyển đến")
    TRANSFERRED_OUT = "transferred_out", _("Chuyển đi")
    DIED = "died", _("Từ trần")
    STRUCK_OFF = "struck_off", _("Xóa tên")
    EXPELLED = "expelled", _("Khai trừ")
    # A member who asked to leave and whom the cell let go (cho ra khỏi Đảng): neither a sanction
    # nor a striking off, and a reason that bars re-admission (members/readmission.py).
    LEFT_PARTY = "left_party", _("Cho ra khỏi Đảng")


# +1 for a movement that brings a member into a cell, -1 for one that takes them out. The member
# count of any organisation on any date is the sum of these over its subtree's movements.
MOVEMENT_SIGN: dict[str, int] = {
    MovementKind.ADMITTED: 1,
    MovementKind.TRANSFERRED_IN: 1,
    MovementKind.TRANSFERRED_OUT: -1,
    MovementKind.DIED: -1,
    MovementKind.STRUCK_OFF: -1,
    MovementKind.EXPELLED: -1,
    MovementKind.LEFT_PARTY: -1,
}
INCOMING_MOVEMENTS = tuple(k for k, s in MOVEMENT_SIGN.items() if s > 0)
OUTGOING_MOVEMENTS = tuple(k for k, s in MOVEMENT_SIGN.items() if s < 0)


# The exits a member page records (a transfer out of the province has its own page, with the destination).
EXIT_MOVEMENTS = (MovementKind.DIED, MovementKind.STRUCK_OFF, MovementKind.EXPELLED, MovementKind.LEFT_PARTY)


class TransferStatus(models.TextChoices):
    """A transfer between cells waits for the receiving cell to confirm it (domain §6: the cell runs its roll)."""

    PENDING = "pending", _("Chờ chi bộ nơi đến xác nhận")
    CONFIRMED = "confirmed", _("Đã xác nhận")
    CANCELLED = "cancelled", _("Đã hủy")


class Role(models.TextChoices):
    CELL_SECRETARY = "cell_secretary", _("Bí thư chi bộ")
    COMMITTEE_SECRETARY = "committee_secretary", _("Bí thư đảng ủy")
    COMMITTEE_DEPUTY = "committee_deputy", _("Phó Bí thư đảng ủy")
    BOARD_STAFF = "board_staff", _("Cán bộ Ban Tổ chức / Ban Xây dựng Đảng")
    ADMINISTRATOR = "administrator", _("Quản trị")


# Religion, ethnicity and citizen ID are sensitive personal data (Nghị định 13/2023/NĐ-CP). The
# board does the background verification and the statistics by ethnicity and religion, so it and
# the committee leadership see them; a cell secretary does not need them to run the cell.
SENSITIVE_DATA_ROLES = frozenset(
    {Role.COMMITTEE_SECRETARY, Role.COMMITTEE_DEPUTY, Role.BOARD_STAFF, Role.ADMINISTRATOR}
)
# The attributes of Biểu 2 and of the member list's filter that read those fields: their rows, counts and
# lists are for the same roles only (reports/sensitive.py, members/filters.py).
SENSITIVE_ATTRIBUTES = frozenset({"ethnic_minority", "religious"})


class IntroducingBody(models.TextChoices):
    YOUTH_UNION = "youth_union", _("Đoàn TNCS Hồ Chí Minh")
    TRADE_UNION = "trade_union", _("Công đoàn")
    WOMEN_UNION = "women_union", _("Hội Liên hiệp Phụ nữ")
    FARMERS_UNION = "farmers_union", _("Hội Nông dân")
    VETERANS = "veterans", _("Hội Cựu chiến binh")
    FATHERLAND_FRONT = "fatherland_front", _("Mặt trận Tổ quốc")
    CELL = "cell", _("Chi bộ")
