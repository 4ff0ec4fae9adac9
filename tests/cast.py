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


@dataclass
class RecruitmentCast:
    candidate_a: object
    candidate_b: object
    candidate_c: object
    class_x: object
    class_y: object
    verification_a: object
    verification_b: object
    verification_c: object


def add_recruitment(cast: Cast) -> RecruitmentCast:
    """One candidate per cell, a class run by each commune, one verification request per candidate."""
    import datetime

    from recruitment import services

    day = datetime.date(2024, 3, 1)
    candidates = {
        key: services.candidate_propose(
            cell=cell,
            introduced_by="youth_union",
            proposed_on=day,
            person_fields={
                "full_name": f"Quần chúng {key}",
                "gender": "female",
                "date_of_birth": datetime.date(2000, 1, 1),
                "general_education": "upper_secondary",
            },
            by=None,
        )
        for key, cell in (("A", cast.cell_a), ("B", cast.cell_b), ("C", cast.cell_c))
    }
    classes = {
        key: services.class_create(
            organiser=org, name=f"Lớp bồi dưỡng {key}", starts_on=day, ends_on=day + datetime.timedelta(days=4), by=None
        )
        for key, org in (("X", cast.commune_x), ("Y", cast.commune_y))
    }
    requests = {
        key: services.verification_request_create(
            candidate=c,
            sent_to="Công an xã",
            sent_on=day,
            reply_due_on=day + datetime.timedelta(days=30),
            by=None,
        )
        for key, c in candidates.items()
    }
    return RecruitmentCast(
        candidate_a=candidates["A"],
        candidate_b=candidates["B"],
        candidate_c=candidates["C"],
        class_x=classes["X"],
        class_y=classes["Y"],
        verification_a=requests["A"],
        verification_b=requests["B"],
        verification_c=requests["C"],
    )
