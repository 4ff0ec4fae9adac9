"""`build_scale`: the province of `manage.py generate_scale`, and its quotas for every unit and year.

The members' part (`members.demo.scale`: tree, rolls, terms, logins) and the pipeline
(`recruitment.demo.scale`) are planned in memory from one random stream and written in bulk in one
transaction; the quotas are written here, in the top layer. Quotas: every unit active today (cells
included) has an assigned quota for each calendar year from 2020 (or its founding) to this year,
one for the present term and, if it existed then, one for the 2020-2025 term; the province also has
the demo's resolution rate and Youth Union share. A third of the units are set below their pace,
a third on it and a third above, as the demo does for its communes.
"""

import datetime
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from faker import Faker

from members.demo import bulk
from members.demo.dates import REORGANISATION_DAY
from members.demo.people import PersonFactory
from members.demo.scale import (
    HISTORY_REASON,
    Plan,
    RollPlanner,
    Unit,
    create_logins,
    plan_tree,
    write_rolls,
    write_terms,
    write_tree,
)
from members.demo.summary import format_number
from members.demo.users import LoginRow
from members.models import Organisation
from recruitment.demo.scale import build_pipeline

from ..models import Quota
from ..progress import periods
from ..vocabulary import QuotaMetric, QuotaSource, ShareAttribute, ValueKind

FIRST_QUOTA_YEAR = 2020
MOODS = (Decimal("0.7"), Decimal("1.0"), Decimal("1.5"))


class ScaleCannotLoad(Exception):
    """The database or the calendar stands in the way; nothing was changed."""


@dataclass
class ScaleReport:
    members: int
    seed: int
    phases: list[tuple[str, float]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[LoginRow] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(s for _p, s in self.phases)


def _pace(achieved: int, period: periods.Period, today: datetime.date) -> int:
    if period.end < today:
        return achieved
    elapsed = max(min((today - period.start).days + 1, period.days), 1)
    return max(achieved, round(achieved * period.days / elapsed))


def _ancestors(unit: Unit):
    node: Unit | None = unit
    while node is not None:
        yield node
        node = node.parent


def quota_rows(plan: Plan, today: datetime.date) -> list[Quota]:
    term = periods.term_containing(today)
    earlier_term = periods.term_containing(term.start - datetime.timedelta(days=1))
    years = [periods.year(y) for y in range(FIRST_QUOTA_YEAR, today.year + 1)]
    # Admissions of each unit's subtree, by the cell the member ends in (a successor counts its predecessors').
    admitted: Counter = Counter()
    for roll in plan.rolls:
        for unit in _ancestors(roll.cell):
            admitted[(unit.index, roll.admitted.year)] += 1
            for t in (term, earlier_term):
                if t.start <= roll.admitted <= t.end:
                    admitted[(unit.index, t.start)] += 1

    def fields(period: periods.Period) -> dict:
        return {"period_kind": period.kind, "period_start": period.start, "period_end": period.end}

    rows = []
    active = [u for u in plan.units if u.active_today]
    for n, unit in enumerate(active):
        mood = MOODS[n % 3]
        for period in years:
            if period.end < unit.founded_on:
                continue
            achieved = admitted[(unit.index, period.start.year)]
            value = max(int(_pace(achieved, period, today) * mood), 1)
            rows.append(Quota(organisation_id=unit.pk, source=QuotaSource.ASSIGNED, value=value, **fields(period)))
        for period in (earlier_term, term):
            if period.end < unit.founded_on or unit.founded_on > period.start:
                continue
            achieved = admitted[(unit.index, period.start)]
            value = max(int(_pace(achieved, period, today) * mood), 1)
            rows.append(Quota(organisation_id=unit.pk, source=QuotaSource.ASSIGNED, value=value, **fields(period)))
    province = plan.province
    assert province is not None
    this_year = periods.year(today.year)
    rows.append(
        Quota(
            organisation_id=province.pk,
            source=QuotaSource.RESOLUTION,
            value_kind=ValueKind.RATE,
            rate_percent=Decimal("3"),
            **fields(this_year),
        )
    )
    rows.append(
        Quota(
            organisation_id=province.pk,
            source=QuotaSource.RESOLUTION,
            metric=QuotaMetric.SHARE,
            share_attribute=ShareAttribute.YOUTH_UNION_INTRODUCED,
            value_kind=ValueKind.RATE,
            rate_percent=Decimal("65"),
            **fields(term),
        )
    )
    return rows


def build_scale(
    *, members: int, seed: int, today: datetime.date, progress: Callable[[str], None] = lambda _: None
) -> ScaleReport:
    """Raises ScaleCannotLoad, having changed nothing."""
    if today <= REORGANISATION_DAY:
        raise ScaleCannotLoad(
            f"Tỉnh quy mô lớn có đợt sắp xếp ngày {REORGANISATION_DAY:%d/%m/%Y}; "
            f"hôm nay ({today:%d/%m/%Y}) còn sớm hơn."
        )
    if members < 1000:
        raise ScaleCannotLoad("--members phải từ 1.000 trở lên (một tỉnh có ít nhất vài xã).")
    if Organisation.objects.exists():
        raise ScaleCannotLoad(
            "Cơ sở dữ liệu đã có tổ chức đảng; generate_scale chỉ chạy trên cơ sở dữ liệu trống "
            "(tạo một cơ sở dữ liệu mới và chạy migrate, hoặc dùng --if-empty để bỏ qua)."
        )
    report = ScaleReport(members=members, seed=seed)
    rng = random.Random(seed)
    fake = Faker("vi_VN")
    fake.seed_instance(seed)
    people = PersonFactory(fake=fake, rng=rng, today=today)
    clock = time.perf_counter()

    def phase(label: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.phases.append((label, now - clock))
        seconds = f"{now - clock:.1f}".replace(".", ",")
        progress(f"{label}: {seconds} giây")
        clock = now

    plan = plan_tree(members, rng)
    plan.rolls = RollPlanner(plan, rng, today).draw()
    phase(f"Lập kế hoạch {format_number(len(plan.units))} tổ chức và {format_number(len(plan.rolls))} đảng viên")
    with transaction.atomic():
        write_tree(plan)
        report.counts["organisations"] = len(plan.units)
        phase("Ghi cây tổ chức")
        report.counts |= write_rolls(plan, people, progress)
        report.counts["terms"] = write_terms(plan, rng)
        phase("Ghi hồ sơ đảng viên và biến động")
        report.counts |= build_pipeline(plan, rng=rng, people=people, today=today, progress=progress)
        phase("Ghi quần chúng ưu tú, lớp bồi dưỡng và các bước kết nạp")
        quotas = quota_rows(plan, today)
        bulk.write(quotas, Quota, reason=HISTORY_REASON)
        report.counts["quotas"] = len(quotas)
        phase("Ghi chỉ tiêu cho mọi tổ chức, mọi năm và nhiệm kỳ")
        report.logins = create_logins(plan, people, rng)
        phase("Tạo tài khoản mẫu")
    return report
