"""The members' part of the demo province: the tree, the people, the rolls and their movements, the
demo logins. `reports.demo.build_demo` runs it first, then the admission pipeline
(`recruitment.demo`) and the quotas (`reports.demo.quotas`), all in one transaction.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from faker import Faker

from ..models import Member, Organisation
from ..vocabulary import ACTIVE_MEMBER_STATUSES, Gender, Level
from . import province as province_tree
from . import reorganisation
from .dates import REORGANISATION_DAY
from .people import PersonFactory
from .place_names import PROVINCE_CODE, PROVINCE_NAME
from .province import CellPlan
from .rolls import RollBuilder, replay
from .size import DemoSize
from .summary import format_number
from .terms import record_terms
from .users import DEMO_USERNAMES, Post, create_demo_users


class DemoAlreadyLoaded(Exception):
    """The demo province is already in the database; nothing was changed."""


class DemoCannotLoad(Exception):
    """Something in the database or the calendar stands in the way; nothing was changed."""


def demo_is_loaded() -> bool:
    return Organisation.objects.filter(code=PROVINCE_CODE).exists()


def already_loaded_message() -> str:
    active = Member.objects.filter(
        cell__path__startswith=Organisation.objects.get(code=PROVINCE_CODE).path, status__in=ACTIVE_MEMBER_STATUSES
    ).count()
    return f"Dữ liệu mẫu đã có ({PROVINCE_NAME}, {format_number(active)} đảng viên); không thay đổi gì."


def check_can_load(today: datetime.date) -> None:
    """Raise DemoCannotLoad or DemoAlreadyLoaded when the demo cannot be built on this database today."""
    if today <= REORGANISATION_DAY:
        raise DemoCannotLoad(
            f"Tỉnh mẫu có đợt sắp xếp ngày {REORGANISATION_DAY:%d/%m/%Y}; hôm nay ({today:%d/%m/%Y}) còn sớm hơn."
        )
    if demo_is_loaded():
        raise DemoAlreadyLoaded(already_loaded_message())
    clashing = list(
        get_user_model()
        .objects.filter(username__in=DEMO_USERNAMES)
        .order_by("username")
        .values_list("username", flat=True)
    )
    if clashing:
        raise DemoCannotLoad(
            f"Tên đăng nhập {', '.join(clashing)} đã có nhưng chưa có {PROVINCE_NAME}; "
            "hãy xóa các tài khoản này hoặc dùng một cơ sở dữ liệu trống."
        )


@dataclass(frozen=True)
class Draws:
    """One random stream and one seeded Faker drive every choice of a build, in a fixed order: the
    same seed gives the same province whatever the database hands out as primary keys."""

    rng: random.Random
    people: PersonFactory


def draws(seed: int, today: datetime.date) -> Draws:
    rng = random.Random(seed)
    fake = Faker("vi_VN")
    fake.seed_instance(seed)
    return Draws(rng=rng, people=PersonFactory(fake=fake, rng=rng, today=today))


@dataclass(frozen=True)
class MembersPart:
    province: Organisation
    # Every cell that holds members, today's tree and the reorganised commune's (the pipeline's cells).
    cells: list[CellPlan]


def build_members(
    size: DemoSize, *, draws: Draws, today: datetime.date, progress: Callable[[str], None] = lambda _: None
) -> MembersPart:
    """The tree, the rolls since 2020 with the 2025 reorganisation, and the demo logins (run inside a transaction)."""
    rng, people = draws.rng, draws.people
    writer = province_tree.UnitWriter()
    province_org = province_tree.create_province(writer)
    area = reorganisation.build_area(
        writer, rng, province_org, new_code=f"{PROVINCE_CODE}.{size.communes:02d}", villages=size.villages
    )
    province = province_tree.build_today(
        writer, rng, province_org, communes=size.standard_communes, villages=size.villages
    )
    progress(
        f"Đã lập {writer.created} tổ chức đảng ({size.communes} đảng bộ xã/phường, "
        f"{len(province.cells) + len(area.cells)} chi bộ có đảng viên hôm nay)."
    )

    cells = province.cells + area.cells
    progress(f"Đang tạo {format_number(size.members)} đảng viên…")
    rolls = RollBuilder(people=people, rng=rng, today=today).enrol(cells, size.members, progress)
    progress(f"Đang ghi {format_number(len(rolls.events))} biến động từ 2020 và đợt sắp xếp 01/07/2025…")
    replay(rolls.events, reorganise=lambda: reorganisation.carry_out(area), progress=progress)
    record_terms(
        district=area.district,
        old_communes=area.old_communes,
        new_commune=area.new_commune,
        communes=list(
            Organisation.objects.get_children(province_org)
            .filter(level=Level.COMMUNE)
            .exclude(pk=area.new_commune.pk)
            .order_by("code")
        ),
    )

    # build_today sets the login units while it builds the first commune; a build has at least one.
    assert province.login_commune is not None and province.login_agency_cell is not None
    posts = {
        Post.PROVINCE: province_org,
        Post.COMMUNE: province.login_commune,
        Post.CELL: province.login_cells[0],
        Post.OTHER_CELL: province.login_cells[1],
    }
    create_demo_users(
        posts=posts,
        leaders_cell=province.login_agency_cell,
        rng=rng,
        name_for_outsider=lambda: people.full_name(rng.choice((Gender.MALE, Gender.FEMALE)), born=1975),
    )
    progress("Đã tạo các tài khoản mẫu.")
    return MembersPart(province=province_org, cells=cells)
