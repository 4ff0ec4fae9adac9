"""Names of the fictional Minh Sơn province: communes, villages and institutions.

The names follow real Vietnamese patterns (Sino-Vietnamese compounds for lowland communes, Tày-Thái
words for upland ones, street names for urban residential groups) without describing a real place.
"""

from dataclasses import dataclass

PROVINCE_CODE = "MS"
PROVINCE_NAME = "Đảng bộ tỉnh Minh Sơn"


class CommuneKind:
    LOWLAND = "lowland"  # xã đồng bằng, trung du: thôn
    UPLAND = "upland"  # xã vùng cao: bản, mostly ethnic minorities
    URBAN = "urban"  # phường: tổ dân phố


@dataclass(frozen=True)
class CommuneName:
    name: str
    kind: str
    # A commune with a Catholic parish has more Catholic members than the province average.
    parish: bool = False

    @property
    def title(self) -> str:
        """ "xã Thanh Lâm" or "phường Đông Thành", as it reads inside a unit's name."""
        return f"{'phường' if self.kind == CommuneKind.URBAN else 'xã'} {self.name}"

    @property
    def committee_name(self) -> str:
        return f"Đảng bộ {self.title}"


L, U, P = CommuneKind.LOWLAND, CommuneKind.UPLAND, CommuneKind.URBAN

# Today's communes in the order they are built. The first is a lowland commune: the commune logins
# sit there. The order mixes kinds so that a small (scaled-down) build still has every kind.
STANDARD_COMMUNES: tuple[CommuneName, ...] = (
    CommuneName("Thanh Lâm", L),
    CommuneName("Đông Thành", P),
    CommuneName("Nà Phìn", U),
    CommuneName("Phú Lộc", L, parish=True),
    CommuneName("Tân Thịnh", P),
    CommuneName("Hòa An", L),
    CommuneName("Mường Khoa", U),
    CommuneName("Quảng Tiến", L),
    CommuneName("Bắc Sơn", P),
    CommuneName("Đại Đồng", L),
    CommuneName("Vĩnh Thịnh", L, parish=True),
    CommuneName("Pá Hu", U),
    CommuneName("Hưng Đạo", L),
    CommuneName("Nam Thành", P),
    CommuneName("Cẩm Bình", L),
    CommuneName("Trung Hòa", L),
    CommuneName("Nậm Cang", U),
    CommuneName("Đồng Lạc", L),
    CommuneName("Yên Hưng", L),
    CommuneName("Hồng Phong", P),
    CommuneName("Liên Sơn", L),
    CommuneName("Tiên Phong", L),
    CommuneName("Phìn Hồ", U),
    CommuneName("Quyết Tiến", L),
    CommuneName("Nghĩa Hưng", L, parish=True),
    CommuneName("Lam Sơn", P),
    CommuneName("Xuân Trường", L),
    CommuneName("Hải Bình", L),
    CommuneName("Bình Minh", L),
    CommuneName("An Khánh", L),
    CommuneName("Thống Nhất", P),
    CommuneName("Hợp Thành", L),
    CommuneName("Tân Cương", L),
    CommuneName("Văn Lang", L),
    CommuneName("Mỹ Lộc", L),
    CommuneName("Lạc Hồng", L),
    CommuneName("Đức Thắng", L),
    CommuneName("Phúc Thuận", L),
    CommuneName("Khau Lìn", U),
)

# Lowland villages are named after wishes (Tân Tiến, Đồng Tâm) or positions (Đông, Đoài); some
# communes simply number them.
VILLAGE_NAMES = (
    "Đông", "Đoài", "Trung", "Thượng", "Hạ", "Tân Tiến", "Đồng Tâm", "Quyết Thắng", "Hợp Nhất",
    "Tiền Phong", "Phú Lợi", "An Lạc", "Bình Minh", "Đại Thắng", "Tân Hòa", "Đồng Xuân", "Phú Mỹ",
    "Cầu Đá", "Văn Phú", "Lạc Thịnh", "Tiến Bộ", "Thắng Lợi", "Đoàn Kết", "Xuân Lai",
)  # fmt: skip
HAMLET_NAMES = (
    "Nà Sản", "Huổi Một", "Pá Sang", "Co Mạ", "Nậm Khao", "Phiêng Luông", "Hua Tạt", "Nà Hừ",
    "Pá Mồng", "Bó Cại", "Huổi Lèng", "Tà Lành", "Nậm Ty", "Phiêng Pằn", "Co Sáy", "Lả Mường",
    "Khau Phạ", "Nà Khoang",
)  # fmt: skip
STREET_NAMES = (
    "Trần Phú", "Lê Lợi", "Quang Trung", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt",
    "Hoàng Hoa Thám", "Phan Đình Phùng", "Bà Triệu", "Lê Hồng Phong", "Nguyễn Du", "Trần Hưng Đạo",
    "Điện Biên", "Hùng Vương", "Võ Thị Sáu", "Chu Văn An",
)  # fmt: skip

# The 2025 reorganisation shown in the demo: the district of Yên Bình and three of its communes,
# merged into the new commune of Yên Bình directly under the province.
OLD_DISTRICT = "Yên Bình"
OLD_COMMUNES = ("Yên Thịnh", "Tân Lập", "Phú Xuân")
NEW_COMMUNE = CommuneName("Yên Bình", L)
