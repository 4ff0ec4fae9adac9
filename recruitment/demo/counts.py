"""The pipeline's counts printed after a demo build: candidates by stage, classes, open warnings."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q

from ..models import Candidate, Enrolment, PartyClass
from ..vocabulary import Stage


@dataclass(frozen=True)
class PipelineCounts:
    stages: dict[str, int]
    classes: int
    enrolled: int
    passed: int
    failed: int
    # Candidates whose current stage carries a finding, by rule code.
    warnings: dict[str, int]

    @property
    def candidates(self) -> int:
        return sum(self.stages.values())


def collect_pipeline() -> PipelineCounts:
    found = dict(Candidate.objects.order_by().values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    results = Enrolment.objects.aggregate(
        n_enrolled=Count("pk"),
        n_passed=Count("pk", filter=Q(passed=True)),
        n_failed=Count("pk", filter=Q(passed=False)),
    )
    warnings: Counter[str] = Counter()
    for findings in Candidate.objects.exclude(open_findings=[]).values_list("open_findings", flat=True):
        warnings.update({f["code"] for f in findings})
    return PipelineCounts(
        stages={s.value: found.get(s.value, 0) for s in Stage},
        classes=PartyClass.objects.count(),
        enrolled=results["n_enrolled"],
        passed=results["n_passed"],
        failed=results["n_failed"],
        warnings=dict(sorted(warnings.items())),
    )


def format_pipeline(counts: PipelineCounts, number) -> list[str]:
    """Lines for the summary; `number` formats a count (Vietnamese thousands separator)."""
    lines = [f"Quần chúng ưu tú: {number(counts.candidates)}"]
    lines += [f"  {Stage(k).label}: {number(v)}" for k, v in counts.stages.items()]
    lines.append(
        f"Lớp bồi dưỡng nhận thức về Đảng: {number(counts.classes)} "
        f"({number(counts.enrolled)} lượt học, {number(counts.passed)} đạt, {number(counts.failed)} chưa đạt)"
    )
    if counts.warnings:
        lines.append("Cảnh báo đang mở: " + ", ".join(f"{code} {number(n)}" for code, n in counts.warnings.items()))
    return lines
