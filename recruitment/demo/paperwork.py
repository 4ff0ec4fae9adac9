"""The words and numbers on the demo's papers: reasons for exits and returns, where background
checks are sent, and the numbering of decisions and certificates.

Decision numbers run per commune committee and year in date order, admission and recognition
decisions sharing one register, as a committee office numbers them; other decisions of the year
(not in the demo) take the numbers in between.
"""

import datetime
import random
from collections import defaultdict

from ..vocabulary import Stage

WITHDRAWN = (
    "Đi xuất khẩu lao động tại Nhật Bản",
    "Đi xuất khẩu lao động tại Hàn Quốc",
    "Đi học đại học xa địa phương",
    "Gia đình chuyển nơi cư trú ra ngoài tỉnh",
    "Chuyển công tác ra ngoài tỉnh",
    "Nhập ngũ, chuyển về đơn vị quân đội",
    "Xin dừng phấn đấu vì hoàn cảnh gia đình khó khăn",
    "Nghỉ việc tại đơn vị, không còn sinh hoạt tại chi bộ",
)
REJECTED = {
    Stage.SOURCE: ("Bị xử phạt vi phạm hành chính, chi bộ đưa ra khỏi danh sách quần chúng ưu tú",),
    Stage.TRAINED: ("Kết quả thẩm tra lý lịch: khai lý lịch không trung thực",),
    Stage.DOSSIER: (
        "Chi bộ biểu quyết không đủ 2/3 số đảng viên chính thức tán thành",
        "Chi bộ biểu quyết không đủ 2/3 số đảng viên chính thức tán thành; tiếp tục bồi dưỡng, xem xét sau",
    ),
    Stage.CELL_RESOLUTION: (
        "Đảng ủy không đồng ý kết nạp: đơn phản ánh vi phạm chính sách dân số đã được xác minh",
        "Đảng ủy không đồng ý kết nạp: kết quả thẩm tra lý lịch chưa rõ ràng",
    ),
    Stage.COMMITTEE_REVIEW: ("Đảng ủy cấp trên không đồng ý kết nạp: lý lịch chưa được thẩm tra đầy đủ",),
}
STRUCK_OFF = (
    "Hết thời gian dự bị, chi bộ xét không đủ tư cách đảng viên chính thức",
    "Không hoàn thành nhiệm vụ trong thời gian dự bị, vi phạm tư cách đảng viên",
)
RETURNS = (
    "Thiếu kết quả thẩm tra lý lịch tại nơi cư trú của bố mẹ; đề nghị chi bộ bổ sung",
    "Giấy giới thiệu của đảng viên ghi sai ngày; đề nghị chi bộ hoàn thiện lại",
    "Nghị quyết chi bộ ghi thiếu tổng số đảng viên chính thức; đề nghị hoàn thiện",
)
# Where the families of candidates live outside the province: real provinces after the 2025 merger.
OTHER_PROVINCES = ("Phú Thọ", "Thái Nguyên", "Tuyên Quang", "Lào Cai", "Bắc Ninh", "Thanh Hóa", "Nghệ An", "Hà Nội")
OTHER_COMMUNES = ("Tân Phong", "Hòa Bình", "Quyết Thắng", "Đồng Tâm", "Minh Khai", "Thống Nhất", "Hợp Thành")
REPLIES = (
    "Xác nhận nội dung lý lịch khai đúng sự thật",
    "Gia đình chấp hành tốt chủ trương của Đảng, chính sách, pháp luật của Nhà nước",
    "Lý lịch khai đúng; bố đẻ là đảng viên sinh hoạt tại chi bộ thôn",
)


def verification_place(rng: random.Random, home_commune: str) -> str:
    """Where a request goes: the commune where the parents live, in the province or outside it."""
    commune = rng.choice(OTHER_COMMUNES)
    if rng.random() < 0.5:
        return f"Đảng ủy xã {commune}, tỉnh {rng.choice(OTHER_PROVINCES)} (nơi cư trú của bố mẹ)"
    if rng.random() < 0.5:
        return f"Đảng ủy xã {commune}, tỉnh Minh Sơn (quê quán)"
    return f"Chi bộ nơi cư trú của gia đình, {home_commune}"


def consent_letter(rng: random.Random, day: datetime.date) -> str:
    """The superior's letter that lets a ceremony be held late (rule 9)."""
    return f"Công văn số {rng.randint(40, 480)}-CV/ĐU ngày {day:%d/%m/%Y} của Đảng ủy cấp trên"


def over_age_letter(rng: random.Random, day: datetime.date) -> str:
    return f"Văn bản số {rng.randint(100, 900)}-CV/TU ngày {day:%d/%m/%Y} của Ban Thường vụ Tỉnh ủy"


def hardship_reference(commune_title: str) -> str:
    return f"Hướng dẫn 06-HD/TW, trường hợp vùng đồng bào dân tộc thiểu số, vùng cao ({commune_title})"


class Registers:
    """Number decisions and certificates once every plan is known, in date order."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._decisions: dict[tuple[int, int], list[tuple[datetime.date, int, str]]] = defaultdict(list)
        self._certificates: dict[tuple[int, int], list[tuple[datetime.date, int, int]]] = defaultdict(list)

    def decision(self, committee_pk: int, day: datetime.date, plan_index: int, kind: str) -> None:
        self._decisions[(committee_pk, day.year)].append((day, plan_index, kind))

    def certificate(self, commune_pk: int, day: datetime.date, class_key: int, plan_index: int) -> None:
        self._certificates[(commune_pk, day.year)].append((day, class_key, plan_index))

    def number(self) -> tuple[dict[tuple[int, str], str], dict[int, str]]:
        """({(plan index, kind): decision number}, {plan index: certificate number})."""
        decisions: dict[tuple[int, str], str] = {}
        for key in sorted(self._decisions):
            n = self.rng.randint(3, 25)
            for _day, index, kind in sorted(self._decisions[key]):
                n += self.rng.randint(1, 4)
                decisions[(index, kind)] = f"{n}-QĐ/ĐU"
        certificates: dict[int, str] = {}
        for key in sorted(self._certificates):
            for n, (_day, _class, index) in enumerate(sorted(self._certificates[key]), start=1):
                certificates[index] = f"{n:03d}/{key[1]}/CN-NTVĐ"
        return decisions, certificates
