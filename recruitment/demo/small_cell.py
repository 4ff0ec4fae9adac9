"""A cell too small to vote: the case rule 7 warns about.

No cell of the demo rolls ever has fewer than three full members at full size, so the demo adds
one, as communes do when they reach out to private companies: a company cell founded with three
full members who moved their party activity there from their villages, one of whom later left the
company and went back. The cell keeps going with two full members; its next admission vote trips
R07_TOO_FEW_FULL_MEMBERS ("cần báo cáo cấp ủy cấp trên"). Everything goes through the members
services, so the transfers are on the rolls like any other.
"""

import datetime
import random
from dataclasses import dataclass

from django.db.models import Count

from members.demo.dates import add_years
from members.demo.province import CellPlan
from members.models import Member, Organisation
from members.services import member_transfer, organisation_create
from members.vocabulary import Level, MemberStatus, Occupation, Sector

NAME = "Chi bộ Công ty TNHH Thương mại – Dịch vụ Minh Phát"
KIND = "food_company"  # a profile of members.demo.people: a small private company
FOUNDED_DAYS_AGO = (540, 720)
LEFT_DAYS_AGO = (100, 150)
MOVED_IN = "Chuyển sinh hoạt đảng về chi bộ nơi làm việc khi thành lập chi bộ"
MOVED_BACK = "Nghỉ việc tại công ty, chuyển sinh hoạt đảng về nơi cư trú"


@dataclass(frozen=True)
class SmallCell:
    plan: CellPlan
    # From this day the cell has two full members: a vote after it trips rule 7.
    short_since: datetime.date


def found_small_cell(cells: list[CellPlan], rng: random.Random, today: datetime.date) -> SmallCell | None:
    """The company cell in the first commune with three suitable members; None in a tiny build."""
    founded = today - datetime.timedelta(days=rng.randint(*FOUNDED_DAYS_AGO))
    left = today - datetime.timedelta(days=rng.randint(*LEFT_DAYS_AGO))
    step = Organisation.steplen
    for commune_path in dict.fromkeys(c.org.path[:-step] for c in cells if c.is_residential and c.stable):
        commune = Organisation.objects.get(path=commune_path)
        if commune.level != Level.COMMUNE or not commune.is_active:
            continue
        villages = [c for c in cells if c.org.path[:-step] == commune_path and c.is_residential and c.stable]
        # Company staff of working age, full members before the cell was founded, and with no
        # other movement since their admission (the transfer must be their latest).
        staff = list(
            Member.objects.filter(
                cell__in=[c.org for c in villages],
                status=MemberStatus.FULL,
                recognition_date__lte=founded - datetime.timedelta(days=30),
                person__occupation=Occupation.NON_STATE_ENTERPRISE_WORKER,
                person__date_of_birth__gt=add_years(today, -55),
            )
            .annotate(moves=Count("movements"))
            .filter(moves=1)
            .order_by("pk")
        )
        if len(staff) < 3:
            continue
        org = organisation_create(
            code=f"{commune.code}.DN",
            name=NAME,
            level=Level.CELL,
            parent=commune,
            sector=Sector.NON_STATE_ENTERPRISE,
            founded_on=founded,
        )
        founders = rng.sample(staff, 3)
        homes = {m.pk: m.cell for m in founders}
        for member in founders:
            member_transfer(member=member, to_cell=org, on=founded, note=MOVED_IN)
        leaver = founders[-1]
        member_transfer(member=leaver, to_cell=homes[leaver.pk], on=left, note=MOVED_BACK)
        place = next(c.commune for c in villages)
        return SmallCell(plan=CellPlan(org=org, kind=KIND, commune=place), short_since=left)
    return None
