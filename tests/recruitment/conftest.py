import datetime

import pytest
import time_machine

from members.vocabulary import Level, MemberStatus, Sector
from tests.factories import MemberFactory, OrganisationFactory, PersonFactory

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture
def frozen_today():
    """The rules compare with today; pin it so the journeys below stay valid."""
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield TODAY


@pytest.fixture
def pipeline(cast, frozen_today):
    """Cell A gets three full members (two of them introducers); commune X also gets a grassroots
    committee with a cell G under it, for the path that needs the committee's approval."""
    full = [MemberFactory(cell=cast.cell_a, status=MemberStatus.FULL) for _ in range(2)]
    committee = OrganisationFactory(
        code="GC",
        name="Đảng bộ Trường THPT Xuân",
        level=Level.GRASSROOTS_COMMITTEE,
        parent=cast.commune_x,
        sector=Sector.PUBLIC_SERVICE,
    )
    cell_g = OrganisationFactory(
        code="G", name="Chi bộ Giáo viên", level=Level.CELL, parent=committee, sector=Sector.PUBLIC_SERVICE
    )
    g_members = [MemberFactory(cell=cell_g, status=MemberStatus.FULL) for _ in range(3)]
    return {"introducers": full, "committee": committee, "cell_g": cell_g, "g_members": g_members}


def person_fields(**overrides) -> dict:
    fields = {
        "full_name": "Hoàng Thị Lan",
        "gender": "female",
        "date_of_birth": datetime.date(1998, 4, 12),
        "general_education": "upper_secondary",
        "is_youth_union_member": True,
        "citizen_id": "001198000123",
    }
    fields.update(overrides)
    return fields


def new_person(**overrides):
    return PersonFactory(**person_fields(**overrides))
