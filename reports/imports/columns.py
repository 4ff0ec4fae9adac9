"""The import workbook format: its sheets and columns (docs/import-format.md describes the same).

The headers are part of a file format that committees fill by hand and that other tools write, so
they are fixed Vietnamese strings, not translated. A sheet is recognised by its title, a column by
its header (compared without case, spaces at the ends and diacritics normalisation differences).
Choice columns take the Vietnamese label shown in the template's drop-down list, or the code.
"""

from dataclasses import dataclass

from django.db import models

from members.vocabulary import Gender, GeneralEducation, Level, Occupation, ProfessionalTraining, Sector
from recruitment.rules import IntroductionRoute
from recruitment.vocabulary import IntroducingBody, Stage

from ..vocabulary import QuotaMetric, QuotaSource, ShareAttribute, ValueKind

# Kinds of cell value, each parsed by `cells.parse_<kind>`.
TEXT, CODE, DATE, INT, DECIMAL, BOOL, CHOICE, CITIZEN_ID, PERIOD = (
    "text",
    "code",
    "date",
    "int",
    "decimal",
    "bool",
    "choice",
    "citizen_id",
    "period",
)


class MovementChoice(models.TextChoices):
    """What a row of the movements sheet records (the member services behind each)."""

    TRANSFER = "transfer", "Chuyển sinh hoạt trong tỉnh"
    TRANSFERRED_IN = "transferred_in", "Chuyển đến từ nơi khác"
    TRANSFERRED_OUT = "transferred_out", "Chuyển đi nơi khác"
    DIED = "died", "Từ trần"
    STRUCK_OFF = "struck_off", "Xóa tên"
    EXPELLED = "expelled", "Khai trừ"
    LEFT_PARTY = "left_party", "Cho ra khỏi Đảng"


class ClassResultChoice(models.TextChoices):
    PASSED = "passed", "Đạt"
    FAILED = "failed", "Không đạt"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = TEXT
    required: bool = False
    choices: type[models.TextChoices] | None = None
    max_length: int | None = None
    help: str = ""
    example: object = None


@dataclass(frozen=True)
class SheetSpec:
    key: str
    title: str
    columns: tuple[Column, ...]
    help: str

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


def _person_columns(example: dict) -> tuple[Column, ...]:
    return (
        Column(
            "citizen_id",
            "Số CCCD",
            CITIZEN_ID,
            help="12 chữ số; dùng để nhận ra người khi nhập lại.",
            example=example["citizen_id"],
        ),
        Column("full_name", "Họ và tên", TEXT, True, max_length=120, example=example["full_name"]),
        Column("gender", "Giới tính", CHOICE, True, Gender, example=example["gender"]),
        Column("date_of_birth", "Ngày sinh", DATE, True, example=example["date_of_birth"]),
        Column("ethnicity", "Dân tộc", TEXT, max_length=40, help="Để trống: Kinh.", example="Kinh"),
        Column("religion", "Tôn giáo", TEXT, max_length=40, help="Để trống: không.", example=""),
        Column(
            "general_education", "Giáo dục phổ thông", CHOICE, choices=GeneralEducation, example="Trung học phổ thông"
        ),
        Column(
            "professional_training",
            "Chuyên môn, nghiệp vụ",
            CHOICE,
            choices=ProfessionalTraining,
            example=example["training"],
        ),
        Column("occupation", "Nghề nghiệp", CHOICE, choices=Occupation, example=example["occupation"]),
        Column("phone", "Số điện thoại", TEXT, max_length=20, example=""),
        Column("is_youth_union_member", "Đoàn viên", BOOL, help="Có / Không.", example=example["youth"]),
        Column("is_business_owner", "Chủ doanh nghiệp tư nhân", BOOL, help="Có / Không.", example="Không"),
    )


ORGANISATIONS = SheetSpec(
    "organisations",
    "Tổ chức",
    (
        Column(
            "code",
            "Mã tổ chức",
            CODE,
            True,
            max_length=32,
            help="Mã duy nhất; dùng để nhận ra tổ chức khi nhập lại.",
            example="XA-HOA-BINH-CB1",
        ),
        Column("name", "Tên tổ chức", TEXT, True, max_length=200, example="Chi bộ thôn Đông"),
        Column("level", "Cấp", CHOICE, True, Level, example="Chi bộ trực thuộc"),
        Column("sector", "Loại hình", CHOICE, choices=Sector, example="Nông thôn, khu dân cư"),
        Column(
            "parent_code",
            "Mã tổ chức cấp trên",
            CODE,
            max_length=32,
            help="Để trống chỉ với tổ chức cao nhất (quản trị viên).",
            example="XA-HOA-BINH",
        ),
        Column("founded_on", "Ngày thành lập", DATE, example="01/07/2025"),
        Column("dissolved_on", "Ngày giải thể / sáp nhập", DATE, example=""),
        Column(
            "merged_into_code",
            "Sáp nhập vào (mã tổ chức)",
            CODE,
            max_length=32,
            help="Kèm ngày giải thể / sáp nhập.",
            example="",
        ),
    ),
    "Các tổ chức đảng, cấp trên trước cấp dưới.",
)

MEMBERS = SheetSpec(
    "members",
    "Đảng viên",
    _person_columns(
        {
            "citizen_id": "001085012345",
            "full_name": "Nguyễn Văn An",
            "gender": "Nam",
            "date_of_birth": "15/03/1985",
            "training": "Đại học",
            "occupation": "Cán bộ, công chức",
            "youth": "Không",
        }
    )
    + (
        Column(
            "cell_code",
            "Mã chi bộ",
            CODE,
            True,
            max_length=32,
            help="Chi bộ đang sinh hoạt (hoặc sinh hoạt cuối cùng).",
            example="XA-HOA-BINH-CB2",
        ),
        Column(
            "entry_cell_code",
            "Mã chi bộ khi kết nạp",
            CODE,
            max_length=32,
            help="Để trống nếu trùng chi bộ đang sinh hoạt.",
            example="XA-HOA-BINH-CB1",
        ),
        Column("admission_decision_date", "Ngày quyết định kết nạp", DATE, True, example="12/05/2010"),
        Column("ceremony_date", "Ngày lễ kết nạp", DATE, example="20/05/2010"),
        Column(
            "recognition_date",
            "Ngày công nhận chính thức",
            DATE,
            help="Để trống: đảng viên dự bị.",
            example="20/05/2011",
        ),
        Column("card_number", "Số thẻ đảng", TEXT, max_length=20, example="01234567"),
        Column("is_readmitted", "Kết nạp lại", BOOL, example="Không"),
        Column(
            "introduced_by",
            "Tổ chức giới thiệu",
            CHOICE,
            choices=IntroducingBody,
            help="Tổ chức đã giới thiệu người này vào Đảng, nếu biết; được tính vào tỷ lệ theo tổ chức giới thiệu.",
            example="Đoàn TNCS Hồ Chí Minh",
        ),
    ),
    "Đảng viên đã kết nạp trước khi dùng PartyHub. Người kết nạp qua quy trình ghi ở trang Quần chúng.",
)

MOVEMENTS = SheetSpec(
    "movements",
    "Biến động",
    (
        Column("citizen_id", "Số CCCD", CITIZEN_ID, example="001085012345"),
        Column("card_number", "Số thẻ đảng", TEXT, max_length=20, help="Khi chưa có số CCCD.", example=""),
        Column("full_name", "Họ và tên", TEXT, True, max_length=120, example="Nguyễn Văn An"),
        Column("date_of_birth", "Ngày sinh", DATE, example="15/03/1985"),
        Column("kind", "Loại biến động", CHOICE, True, MovementChoice, example="Chuyển sinh hoạt trong tỉnh"),
        Column("date", "Ngày", DATE, True, example="01/07/2025"),
        Column(
            "to_cell_code",
            "Mã chi bộ chuyển đến",
            CODE,
            max_length=32,
            help="Bắt buộc với chuyển sinh hoạt trong tỉnh và chuyển đến.",
            example="XA-HOA-BINH-CB2",
        ),
        Column("note", "Ghi chú", TEXT, max_length=200, example=""),
    ),
    "Chuyển sinh hoạt, chuyển đến, chuyển đi, từ trần, xóa tên, khai trừ; theo thứ tự ngày.",
)

CANDIDATES = SheetSpec(
    "candidates",
    "Quần chúng",
    _person_columns(
        {
            "citizen_id": "001203004567",
            "full_name": "Trần Thị Bình",
            "gender": "Nữ",
            "date_of_birth": "02/09/2003",
            "training": "Cao đẳng",
            "occupation": "Khác",
            "youth": "Có",
        }
    )
    + (
        Column("cell_code", "Mã chi bộ", CODE, True, max_length=32, example="XA-HOA-BINH-CB2"),
        Column(
            "stage",
            "Giai đoạn",
            CHOICE,
            True,
            Stage,
            help="Giai đoạn hiện tại; phải khớp với các bước đã ghi.",
            example="Đang hoàn thiện hồ sơ",
        ),
        Column("introduced_by", "Tổ chức giới thiệu", CHOICE, True, IntroducingBody, example="Đoàn TNCS Hồ Chí Minh"),
        Column("proposed_on", "Ngày đưa vào diện quần chúng ưu tú", DATE, True, example="10/01/2026"),
        Column("helper", "Đảng viên giúp đỡ (CCCD hoặc số thẻ)", TEXT, max_length=20, example="001085012345"),
        # Party-awareness class
        Column(
            "class_name",
            "Tên lớp bồi dưỡng",
            TEXT,
            max_length=200,
            example="Lớp bồi dưỡng nhận thức về Đảng khóa 1/2026",
        ),
        Column("class_organiser_code", "Mã đơn vị mở lớp", CODE, max_length=32, example="XA-HOA-BINH"),
        Column("class_starts_on", "Ngày khai giảng", DATE, example="02/03/2026"),
        Column("class_ends_on", "Ngày bế giảng", DATE, example="06/03/2026"),
        Column(
            "class_result",
            "Kết quả lớp",
            CHOICE,
            choices=ClassResultChoice,
            help="Để trống khi lớp chưa kết thúc.",
            example="Đạt",
        ),
        Column("certificate_number", "Số giấy chứng nhận", TEXT, max_length=40, example="125/CN-NTVĐ"),
        Column("certificate_issued_on", "Ngày cấp giấy chứng nhận", DATE, example="06/03/2026"),
        # Dossier
        Column("application_date", "Ngày viết đơn", DATE, example="01/04/2026"),
        Column("personal_history_date", "Ngày khai lý lịch", DATE, example="03/04/2026"),
        Column("verification_completed_on", "Ngày hoàn thành thẩm tra lý lịch", DATE, example="20/04/2026"),
        Column("opinions_date", "Ngày tổng hợp ý kiến đoàn thể", DATE, example="25/04/2026"),
        Column(
            "route",
            "Hình thức giới thiệu",
            CHOICE,
            choices=IntroductionRoute,
            example="Đoàn TNCS Hồ Chí Minh và một đảng viên chính thức",
        ),
        Column("body_introduction_date", "Ngày Đoàn / Công đoàn giới thiệu", DATE, example="28/04/2026"),
        Column("youth_union_exists", "Đơn vị có tổ chức Đoàn", BOOL, help="Để trống: Có.", example="Có"),
        Column("submitted_on", "Ngày nộp hồ sơ", DATE, example="30/04/2026"),
        Column("introducer1", "Người giới thiệu 1 (CCCD hoặc số thẻ)", TEXT, max_length=20, example="001085012345"),
        Column("introducer1_known_since", "Người giới thiệu 1 cùng công tác từ", DATE, example="01/01/2024"),
        Column("introducer1_on", "Ngày giới thiệu 1", DATE, example="28/04/2026"),
        Column("introducer1_replacement", "Người giới thiệu 1 là giới thiệu thay", BOOL, example="Không"),
        Column("introducer2", "Người giới thiệu 2 (CCCD hoặc số thẻ)", TEXT, max_length=20, example=""),
        Column("introducer2_known_since", "Người giới thiệu 2 cùng công tác từ", DATE, example=""),
        Column("introducer2_on", "Ngày giới thiệu 2", DATE, example=""),
        Column("introducer2_replacement", "Người giới thiệu 2 là giới thiệu thay", BOOL, example=""),
        # Cell vote
        Column("vote_held_on", "Ngày chi bộ họp xét", DATE, example=""),
        Column("votes_for", "Số phiếu tán thành của chi bộ", INT, example=""),
        Column("full_members", "Số đảng viên chính thức của chi bộ", INT, example=""),
        Column("absent_exempt", "Số đảng viên vắng được trừ", INT, example=""),
        Column(
            "absent_members",
            "Đảng viên vắng được trừ (CCCD hoặc số thẻ, cách nhau bởi dấu ;)",
            TEXT,
            max_length=1000,
            help="Những đồng chí đi công tác hoặc được miễn sinh hoạt vắng mặt; để trống số vắng thì đếm theo tên.",
            example="",
        ),
        Column(
            "vote_base_reason",
            "Lý do số đảng viên khác danh sách",
            TEXT,
            max_length=300,
            help="Bắt buộc khi số đảng viên chính thức hoặc số vắng được trừ khác danh sách của chi bộ ngày họp.",
            example="",
        ),
        Column("over_age_exception", "Văn bản cho phép kết nạp trên 60 tuổi", TEXT, max_length=120, example=""),
        Column("education_exception", "Văn bản miễn điều kiện học vấn", TEXT, max_length=120, example=""),
        # Grassroots committee
        Column("committee_held_on", "Ngày đảng ủy cơ sở xét", DATE, example=""),
        Column("committee_votes_for", "Số phiếu tán thành của đảng ủy", INT, example=""),
        Column("committee_members", "Số cấp ủy viên", INT, example=""),
        Column(
            "committee_base_reason",
            "Lý do số cấp ủy viên khác lần xét duyệt trước",
            TEXT,
            max_length=300,
            example="",
        ),
        # Decision, ceremony, recognition
        Column("decision_number", "Số quyết định kết nạp", TEXT, max_length=40, example=""),
        Column("decided_on", "Ngày quyết định kết nạp", DATE, example=""),
        Column("decision_received_on", "Ngày chi bộ nhận quyết định", DATE, example=""),
        Column("decision_extended", "Đã gia hạn thời gian xét", BOOL, example=""),
        Column("ceremony_on", "Ngày lễ kết nạp", DATE, example=""),
        Column("superior_consent", "Văn bản đồng ý tổ chức lễ muộn", TEXT, max_length=120, example=""),
        Column("recognition_meeting_on", "Ngày chi bộ xét công nhận chính thức", DATE, example=""),
        Column("recognition_number", "Số quyết định công nhận chính thức", TEXT, max_length=40, example=""),
        Column("card_number", "Số thẻ đảng", TEXT, max_length=20, example=""),
        # Exit
        Column(
            "exit_on",
            "Ngày dừng theo dõi / không kết nạp / xóa tên",
            DATE,
            help="Với giai đoạn Dừng theo dõi, Không được kết nạp hoặc Xóa tên.",
            example="",
        ),
        Column("exit_reason", "Lý do", TEXT, max_length=300, example=""),
    ),
    "Quần chúng ưu tú và các bước đã qua; mỗi bước được kiểm tra theo đúng quy định như khi ghi trên trang.",
)

QUOTAS = SheetSpec(
    "quotas",
    "Chỉ tiêu",
    (
        Column("organisation_code", "Mã tổ chức", CODE, True, max_length=32, example="XA-HOA-BINH"),
        Column(
            "period",
            "Kỳ",
            PERIOD,
            True,
            help="Nhiệm kỳ “2025-2030”, năm “2026” hoặc “01/01/2026..30/06/2026”.",
            example="2026",
        ),
        Column("source", "Nguồn chỉ tiêu", CHOICE, True, QuotaSource, example="Cấp trên giao"),
        Column("metric", "Nội dung", CHOICE, True, QuotaMetric, example="Kết nạp đảng viên"),
        Column("share_attribute", "Đặc điểm (chỉ tiêu tỷ lệ)", CHOICE, choices=ShareAttribute, example=""),
        Column("value_kind", "Dạng chỉ tiêu", CHOICE, True, ValueKind, example="Số cụ thể"),
        Column("value", "Số lượng / cận dưới", INT, example=12),
        Column("upper", "Cận trên", INT, example=""),
        Column("rate_percent", "Tỷ lệ (%)", DECIMAL, example=""),
        Column("base_members", "Số đảng viên đầu nhiệm kỳ", INT, example=""),
        Column("carry_over", "Cộng phần thiếu vào năm sau", BOOL, example="Không"),
        Column("note", "Ghi chú", TEXT, max_length=200, example=""),
    ),
    "Chỉ tiêu nhiệm kỳ, năm hoặc một khoảng thời gian của các tổ chức.",
)

# In the order they are imported: the tree, the rolls, the pipeline, then later movements and quotas.
SHEETS: tuple[SheetSpec, ...] = (ORGANISATIONS, MEMBERS, CANDIDATES, MOVEMENTS, QUOTAS)
BY_KEY = {s.key: s for s in SHEETS}
