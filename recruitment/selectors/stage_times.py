"""How long candidates stay in each stage, read from the stage entries (the progress forecast uses it)."""

import datetime
import statistics
from collections import defaultdict

from members.models import Organisation
from members.scoping import subtree_q

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


# --- the usual time of each stage, for the start page and the board ("stuck" candidates) ------------

# A candidate is stuck once they have waited this many times the stage's usual time.
STUCK_FACTOR = 2
# Fewer completed stays than this and the subtree's own median says little: the default below is used.
MIN_STAYS = 5
# Only stays that ended in this window count: today's practice, and a bounded read on a large subtree.
LOOKBACK_DAYS = 3 * 365
# At most this many of the latest stage entries are read (a province's start page reads no more).
USUAL_SAMPLE = 20_000
# The usual days per stage when the subtree has too few completed stays of its own (docs/notifications.md):
# roughly what the rules allow (a class's few weeks and its certificate's year, the dossier's months,
# 60 working days for the decision, 30 for the ceremony).
DEFAULT_USUAL_DAYS = {
    "source": 180,
    "training": 60,
    "trained": 120,
    "dossier": 90,
    "cell_resolution": 60,
    "committee_review": 60,
    "decided": 45,
}


def usual_days(paths, today) -> dict[str, int]:
    """The usual (median) days per stage in these subtrees over the last LOOKBACK_DAYS (the latest USUAL_SAMPLE
    stage entries), one query; DEFAULT_USUAL_DAYS where a stage has fewer than MIN_STAYS completed stays."""
    since = today - datetime.timedelta(days=LOOKBACK_DAYS)
    # The most recent entries only: a bounded read on a province (a start page must not read them all).
    recent = (
        StageEntry.objects.filter(subtree_q(list(paths), "candidate__cell__path"), entered_on__gte=since)
        .order_by("-entered_on", "-pk")
        .values_list("candidate_id", "entered_on", "pk", "stage")[:USUAL_SAMPLE]
    )
    rows = sorted(recent)
    stays: dict[str, list[int]] = defaultdict(list)
    previous = None
    for candidate_id, entered_on, _pk, stage in rows:
        if previous is not None and previous[0] == candidate_id:
            stays[previous[1]].append((entered_on - previous[2]).days)
        previous = (candidate_id, stage, entered_on)
    usual = dict(DEFAULT_USUAL_DAYS)
    for stage, days in stays.items():
        if len(days) >= MIN_STAYS:
            usual[stage] = max(int(statistics.median(days)), 1)
    return usual


def stuck_after(stage: str, usual: dict[str, int]) -> int | None:
    """Days in `stage` after which a candidate counts as stuck (None: the stage has no usual time)."""
    days = usual.get(stage)
    return None if days is None else days * STUCK_FACTOR
