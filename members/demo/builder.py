"""`build_demo`: the demo province in one transaction, the same data for the same seed."""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from faker import Faker

from recruitment.demo import Refusal, build_candidates
from reports.demo import build_quotas

from ..models import Member, Organisation
from ..vocabulary import ACTIVE_MEMBER_STATUSES, Gender
from . import province as province_tree
from . import reorganisation
from .dates import REORGANISATION_DAY
from .people import PersonFactory
from .place_names import PROVINCE_CODE, PROVINCE_NAME
from .rolls import RollBuilder, replay
from .size import DemoSize
from .summary import Counts, collect, format_number
from .users import DEMO_USERNAMES, Post, create_demo_users


class DemoAlreadyLoaded(Exception):
    """The demo province is already in the database; nothing was changed."""


class DemoCannotLoad(Exception):
    """Something in the database or the calendar stands in the way; nothing was changed."""


@dataclass(frozen=True)
class BuildReport:
    seed: int
    seconds: float
    counts: Counts
    # Steps of the demo pipeline a service refused (the planner means to make none).
    refusals: tuple[Refusal, ...] = ()


def demo_is_loaded() -> bool:
    return Organisation.objects.filter(code=PROVINCE_CODE).exists()


def already_loaded_message() -> str:
    active = Member.objects.filter(
        cell__path__startswith=Organisation.objects.get(code=PROVINCE_CODE).path, status__in=ACTIVE_MEMBER_STATUSES
    ).count()
    return f"Dữ liệu mẫu đã có ({PROVINCE_NAME}, {format_number(active)} đảng viên); không thay đổi gì."


def build_demo(size: DemoSize, *, progress: Callable[[str], None] = lambda _: None) -> BuildReport:
    today = timezone.localdate()
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

    started = time.perf_counter()
    # One random stream and one seeded Faker drive every choice, in a fixed order: the same seed
    # gives the same province whatever the database hands out as primary keys.
    rng = random.Random(size.seed)
    fake = Faker("vi_VN")
    fake.seed_instance(size.seed)
    people = PersonFactory(fake=fake, rng=rng, today=today)

    with transaction.atomic():
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
        # After the users, so the secretaries and the commune board are the authors in the history.
        pipeline = build_candidates(
            cells=cells, total=size.candidates, rng=rng, people=people, today=today, progress=progress
        )
        quotas = build_quotas(province_org, today=today, rng=rng)
        progress(f"Đã giao {quotas} chỉ tiêu (nhiệm kỳ, năm, tỷ lệ, khoảng, chuyển phần thiếu sang năm sau).")
        counts = collect()
    return BuildReport(
        seed=size.seed,
        seconds=time.perf_counter() - started,
        counts=counts,
        refusals=tuple(pipeline.refusals),
    )
