"""The progress report's type: its sections computed from the loaded facts alone, its JSON read back."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone, translation

from members.vocabulary import Level
from reports.models import ProgressSnapshot
from reports.progress import periods, snapshots
from reports.progress.facts import load_facts
from reports.progress.report import ProgressReport, compute_report, progress_report
from reports.progress.shape import QuotaProgress
from reports.vocabulary import RangeState, ShareAttribute, ValueKind

from ..builders import admit, cell, org, quota, spread
from ..pipeline_builders import history, trained_people

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)
YEAR = periods.year(2026)
QUIET_SINCE = datetime.date(2021, 3, 1)


@pytest.fixture
def commune():
    """Every kind of quota (a rate carried over from a year of the previous term), a ranked child with a
    quota, a dormant cell, and candidates with a history the forecast learns from."""
    commune = org(Level.COMMUNE)
    busy, quiet = cell(commune), cell(commune)
    admit(busy, [datetime.date(2010, 1, 1)] * 40)
    admit(busy, spread(12, datetime.date(2025, 1, 5), datetime.date(2026, 5, 20)), gender="female")
    admit(quiet, [QUIET_SINCE])
    past = trained_people(busy, 10, datetime.date(2025, 1, 10))
    history(past[:8], decided_after_days=120)
    history(past[8:], exit_after_days=30)
    trained_people(busy, 5, datetime.date(2026, 5, 20))
    quota(commune, periods.year(2025), value_kind=ValueKind.RATE, rate_percent=Decimal("50"), carry_over=True)
    quota(commune, YEAR, 9)
    quota(commune, YEAR, 5, upper=8, value_kind=ValueKind.RANGE, source="plan")
    quota(commune, YEAR, value_kind=ValueKind.RATE, rate_percent=Decimal("10"), source="assigned")
    quota(
        commune,
        YEAR,
        metric="share",
        share_attribute=ShareAttribute.WOMEN,
        value_kind=ValueKind.RATE,
        rate_percent=Decimal("50"),
    )
    quota(busy, YEAR, 6)
    return commune


def test_the_sections_compute_the_report_from_the_loaded_facts_without_a_query(commune, django_assert_num_queries):
    facts = load_facts(commune, YEAR, TODAY)
    with django_assert_num_queries(0), translation.override(settings.LANGUAGE_CODE):
        report = compute_report(facts)
    assert report == progress_report(commune, YEAR, TODAY)
    # The loader counted the members at the start of both terms the rate quotas need, and nothing else.
    assert set(facts.term_bases) == {
        periods.term_containing(datetime.date(2025, 1, 1)).start,
        periods.term_containing(YEAR.start).start,
    }
    assert {type(q) for q in report.quotas} == {QuotaProgress}
    assert {q.is_share for q in report.quotas} == {False, True}
    (exact,) = [q for q in report.quotas if q.value_kind == ValueKind.EXACT]
    assert exact.carried_over > 0
    assert report.children[0].target == 6
    assert report.forecast.by_stage["trained"].candidates == 5


def test_the_json_reads_back_as_the_same_report(commune):
    report = progress_report(commune, YEAR, TODAY)
    data = json.loads(json.dumps(report.as_json()))
    back = ProgressReport.from_json(data)
    assert back == report
    assert back.as_json() == data
    assert list(data) == [
        "organisation",
        "period",
        "as_of",
        "quotas",
        "admissions",
        "pipeline",
        "forecast",
        "breakdown",
        "members",
        "children",
        "no_admission",
        "dormant_cells",
        "introducing_bodies",
        "ranked_by",
        "ranking_sources",
        "chart",
    ]
    assert (data["ranked_by"], data["ranking_sources"]) == ("resolution", ["resolution"])
    assert (data["as_of"], back.as_of) == (TODAY.isoformat(), TODAY)
    (dormant,) = data["dormant_cells"]
    assert dormant["last_admission"] == QUIET_SINCE.isoformat()
    assert back.dormant_cells[0].last_admission == QUIET_SINCE
    kinds = {(q["metric"], q["value_kind"]): q for q in data["quotas"]}
    assert kinds[("admissions", "rate")]["base_members"] > 0 and kinds[("admissions", "exact")]["base_members"] is None
    assert isinstance(kinds[("share", "rate")]["share"], str)


def test_a_count_quota_and_a_share_quota_have_one_shape(commune):
    """The same keys in the same order, and the states from the same words (RangeState)."""
    data = json.loads(json.dumps(progress_report(commune, YEAR, TODAY).as_json()))
    count = next(q for q in data["quotas"] if q["metric"] == "admissions" and q["value_kind"] == "exact")
    share = next(q for q in data["quotas"] if q["metric"] == "share")
    assert list(count) == list(share)
    assert {count["state"], share["state"]} <= set(RangeState.values)
    # A count quota: people against a target, no attribute; a share: people with the attribute against
    # the people its percentage needs of the admissions so far, with the share itself.
    assert (count["attribute"], count["out_of"], count["share"], count["target_percent"]) == (None, None, None, None)
    assert share["attribute"] == "women" and share["target_percent"] == "50.00"
    women = 12  # admitted 2025-01-05 .. 2026-05-20, spread: those in 2026 count
    assert 0 < share["achieved"] <= women and share["out_of"] == share["achieved"]
    assert share["share"] == "100.0"
    assert share["target"] == -(-share["out_of"] // 2)  # half of them, rounded up
    assert share["state"] == RangeState.ABOVE


def test_a_snapshot_of_the_old_share_shape_is_computed_again(commune):
    """A snapshot stored before the quotas had one shape does not read: it is computed again."""
    data = progress_report(commune, YEAR, TODAY).as_json()
    for q in data["quotas"]:
        if q["metric"] == "share":
            for key in ("target", "upper", "carried_over", "out_of", "percent", "expected_by_now"):
                q.pop(key)
            q.update(share_attribute=q.pop("attribute"), with_attribute=q.pop("achieved"), admissions=3)
        elif q["base_members"] is None:
            del q["base_members"]
    ProgressSnapshot.objects.create(
        organisation=commune,
        period_key=YEAR.key,
        period_start=YEAR.start,
        period_end=YEAR.end,
        as_of=snapshots.as_of_day(YEAR, TODAY),
        computed_at=timezone.now(),
        data=data,
    )
    assert snapshots.read(ProgressSnapshot.objects.get(organisation=commune, period_key=YEAR.key)) is None
    stored = snapshots.report_for(commune, YEAR, TODAY)
    assert not stored.from_snapshot and stored.report == progress_report(commune, YEAR, TODAY)


def test_a_snapshot_that_does_not_read_as_a_report_is_computed_again(commune):
    ProgressSnapshot.objects.create(
        organisation=commune,
        period_key=YEAR.key,
        period_start=YEAR.start,
        period_end=YEAR.end,
        as_of=snapshots.as_of_day(YEAR, TODAY),
        computed_at=timezone.now(),
        data={"organisation": {"id": commune.pk}, "stale": True},
    )
    stored = snapshots.report_for(commune, YEAR, TODAY)
    assert not stored.from_snapshot
    assert stored.report == progress_report(commune, YEAR, TODAY)
    again = snapshots.report_for(commune, YEAR, TODAY)
    assert again.from_snapshot and again.report == stored.report
    assert ProgressSnapshot.objects.get(organisation=commune, period_key=YEAR.key).data == json.loads(
        json.dumps(stored.report.as_json())
    )


def keys_of(value, found: set[str], *, data_keys: bool = False) -> set[str]:
    """Every key of the JSON, except the keys that are data (stage and movement codes)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if not data_keys:
                found.add(key)
            keys_of(inner, found, data_keys=key in ("by_stage", "movements"))
    elif isinstance(value, list):
        for inner in value:
            keys_of(inner, found)
    return found


def test_every_key_of_the_json_is_documented(commune):
    doc = (settings.BASE_DIR / "docs" / "progress-json.md").read_text()
    documented = set(re.findall(r"`([a-z_]+)`", doc))
    keys = keys_of(progress_report(commune, YEAR, TODAY).as_json(), set())
    assert {"base_members", "attribute", "out_of", "share_of_total", "vs_last_pct", "compared_with", "borrowed"} <= keys
    assert keys - documented == set()
