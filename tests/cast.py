"""The named cast of users every permission test speaks of.

    province P ─┬─ commune X ─┬─ cell A   (secretary: sec_a)
                │             └─ cell B   (secretary: sec_b)
                └─ commune Y ─── cell C   (secretary: outsider)

commune_sec is the committee secretary of X, commune_board its board staff, province_board the
province's board staff. Each cell has one member named after it.
"""

from dataclasses import dataclass

from members.models import Member, Organisation
from members.vocabulary import Level, Role, Sector

from .factories import MemberFactory, OrganisationFactory, PersonFactory, UserFactory, grant

PASSWORD = "secret-pass-123"


@dataclass
class Cast:
    province: Organisation
    commune_x: Organisation
    commune_y: Organisation
    cell_a: Organisation
    cell_b: Organisation
    cell_c: Organisation
    member_a: Member
    member_b: Member
    member_c: Member
    sec_a: object
    sec_b: object
    commune_sec: object
    commune_board: object
    province_board: object
    outsider: object

    def users(self) -> dict[str, object]:
        return {
            "sec_a": self.sec_a,
            "sec_b": self.sec_b,
            "commune_sec": self.commune_sec,
            "commune_board": self.commune_board,
            "province_board": self.province_board,
            "outsider": self.outsider,
        }


def build_cast() -> Cast:
    province = OrganisationFactory(code="P", name="Đảng bộ tỉnh Thử", level=Level.PROVINCE)
    x = OrganisationFactory(code="X", name="Đảng bộ xã Xuân", level=Level.COMMUNE, parent=province)
    y = OrganisationFactory(code="Y", name="Đảng bộ xã Yên", level=Level.COMMUNE, parent=province)
    cells = {
        key: OrganisationFactory(
            code=key, name=f"Chi bộ thôn {key}", level=Level.CELL, parent=parent, sector=Sector.RESIDENTIAL
        )
        for key, parent in (("A", x), ("B", x), ("C", y))
    }
    members = {
        key: MemberFactory(cell=cell, person=PersonFactory(full_name=f"Đảng viên {key}", religion="Phật giáo"))
        for key, cell in cells.items()
    }
    users = {
        name: UserFactory(username=name, first_name=name)
        for name in ("sec_a", "sec_b", "commune_sec", "commune_board", "province_board", "outsider")
    }
    grant(users["sec_a"], cells["A"], Role.CELL_SECRETARY)
    grant(users["sec_b"], cells["B"], Role.CELL_SECRETARY)
    grant(users["commune_sec"], x, Role.COMMITTEE_SECRETARY)
    grant(users["commune_board"], x, Role.BOARD_STAFF)
    grant(users["province_board"], province, Role.BOARD_STAFF)
    grant(users["outsider"], cells["C"], Role.CELL_SECRETARY)
    return Cast(
        province=province,
        commune_x=Organisation.objects.get(pk=x.pk),
        commune_y=Organisation.objects.get(pk=y.pk),
        cell_a=cells["A"],
        cell_b=cells["B"],
        cell_c=cells["C"],
        member_a=members["A"],
        member_b=members["B"],
        member_c=members["C"],
        **users,
    )
