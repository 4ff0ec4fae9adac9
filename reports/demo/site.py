"""`build_demo`: the whole demo province in one transaction, the same data for the same seed.

Each app builds its own part, in this order, from one random stream: `members.demo` the tree, the
rolls with their movements and the demo logins; `recruitment.demo` the admission pipeline
(candidates, classes); `reports.demo.quotas` the quotas. The orchestrator sits here, in the top
layer, so the members and recruitment apps never import the apps above them.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from members.demo import DemoSize, build_members, check_can_load, draws
from members.demo.summary import Counts, collect, format_counts, format_number
from recruitment.demo import PipelineCounts, Refusal, build_candidates, collect_pipeline, format_pipeline

from .quotas import build_quotas


@dataclass(frozen=True)
class BuildReport:
    seed: int
    seconds: float
    counts: Counts
    pipeline: PipelineCounts
    # Steps of the demo pipeline a service refused (the planner means to make none).
    refusals: tuple[Refusal, ...] = ()

    def lines(self) -> list[str]:
        """The counts printed at the end of `load_demo`."""
        return format_counts(self.counts) + format_pipeline(self.pipeline, format_number)


def build_demo(size: DemoSize, *, progress: Callable[[str], None] = lambda _: None) -> BuildReport:
    """Raises members.demo.DemoAlreadyLoaded or DemoCannotLoad, having changed nothing."""
    today = timezone.localdate()
    check_can_load(today)
    started = time.perf_counter()
    stream = draws(size.seed, today)
    with transaction.atomic():
        members = build_members(size, draws=stream, today=today, progress=progress)
        # After the demo logins, so the secretaries and the commune board are the authors in the history.
        pipeline = build_candidates(
            cells=members.cells,
            total=size.candidates,
            rng=stream.rng,
            people=stream.people,
            today=today,
            progress=progress,
        )
        quotas = build_quotas(members.province, today=today, rng=stream.rng)
        progress(f"Đã giao {quotas} chỉ tiêu (nhiệm kỳ, năm, tỷ lệ, khoảng, chuyển phần thiếu sang năm sau).")
        counts, pipeline_counts = collect(), collect_pipeline()
    return BuildReport(
        seed=size.seed,
        seconds=time.perf_counter() - started,
        counts=counts,
        pipeline=pipeline_counts,
        refusals=tuple(pipeline.refusals),
    )
