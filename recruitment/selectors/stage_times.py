"""How long candidates stay in each stage, read from the stage entries (the progress forecast uses it)."""

import statistics
from collections import defaultdict

from members.models import Organisation

from ..models import StageEntry


def days_in_stages(organisation: Organisation) -> dict[str, list[int]]:
    """For each stage, the days each candidate of the subtree spent in it before the next entry.

    One query over the subtree's entries; a stage still open (no later entry) is not counted, so
    the figures describe completed stays only.
    """
    rows = (
        StageEntry.objects.filter(candidate__cell__path__startswith=organisation.path)
        .order_by("candidate_id", "entered_on", "pk")
        .values_list("candidate_id", "stage", "entered_on")
    )
    stays: dict[str, list[int]] = defaultdict(list)
    previous = None
    for candidate_id, stage, entered_on in rows.iterator(chunk_size=5000):
        if previous is not None and previous[0] == candidate_id:
            stays[previous[1]].append((entered_on - previous[2]).days)
        previous = (candidate_id, stage, entered_on)
    return dict(stays)


def median_days_per_stage(organisation: Organisation) -> dict[str, float]:
    return {stage: statistics.median(days) for stage, days in days_in_stages(organisation).items() if days}
