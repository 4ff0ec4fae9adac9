"""The report's JSON from the encoders written out per class equals the generic field-by-field encoding."""

import dataclasses
import datetime
import enum
import json

import pytest
import time_machine

from members.vocabulary import Level
from reports.progress import periods
from reports.progress.province import ProvinceSource
from reports.progress.report import report_from
from reports.progress.shape import (
    JsonShape,
    ProgressReport,
    Reachability,
    StageForecast,
    StalledCandidates,
    _as_json_generic,
)
from reports.vocabulary import QuotaSource

from ..builders import admit, org, quota, spread
from ..pipeline_builders import history, trained_people


def reference(value):
    """The encoding before the per-class encoders: every field through the same generic rules."""
    if isinstance(value, JsonShape):
        out = {}
        for f in dataclasses.fields(value):
            v = getattr(value, f.name)
            if v is None and f.metadata.get("omit_if_none"):
                continue
            out[f.name] = reference(v)
        return out
    if type(value) in (str, int, float, bool, type(None)):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [reference(v) for v in value]
    if isinstance(value, dict):
        return {k: reference(v) for k, v in value.items()}
    return value


def same(a, b) -> None:
    """Equal, with the same key order and the same types all the way down (json.dumps agrees too)."""
    assert a == b
    assert json.dumps(a) == json.dumps(b)


@pytest.mark.django_db
@time_machine.travel(datetime.datetime(2026, 6, 15, 9, tzinfo=datetime.UTC), tick=False)
def test_a_computed_report_encodes_as_the_generic_encoding():
    d = datetime.date(2026, 6, 15)
    province = org(Level.PROVINCE)
    commune = org(Level.COMMUNE, province)
    rich = org(Level.CELL, commune)
    thin = org(Level.CELL, commune)
    history(trained_people(rich, 8, datetime.date(2025, 3, 1)), decided_after_days=40)
    trained_people(thin, 3, datetime.date(2026, 5, 1))
    trained_people(rich, 4, datetime.date(2026, 5, 20))
    admit(rich, spread(6, datetime.date(2025, 1, 10), datetime.date(2026, 6, 1)))
    quota(commune, periods.year(2026), 10)
    quota(thin, periods.year(2026), 3, source=QuotaSource.ASSIGNED)
    units = [province, commune, rich, thin]
    wanted = [periods.year(2026), periods.term_containing(d), periods.month(2026, 5)]
    source = ProvinceSource.load(units, wanted, d)
    seen = 0
    for unit in units:
        for period in wanted:
            report = report_from(source, unit, period, d)
            same(report.as_json(), reference(report))
            same(report.as_json(), _as_json_generic(report))
            seen += bool(report.forecast.by_stage or report.quotas)
    assert seen  # the reports had forecasts or quotas to encode


class Colour(enum.StrEnum):
    RED = "red"


class Day(datetime.date):
    pass


def test_unusual_values_encode_as_the_generic_encoding():
    """Values other than the hints say (an enum, a list for a tuple, a date subclass, None) go the generic way."""
    stage = StageForecast(candidates=1, rate=0.5, median_days=2.5, counted=1, expected=0, borrowed=False, stalled=0)
    stalled = StalledCandidates(stage=Colour.RED, usual_days=3, waited_days=[5, 4], expected=1)
    reach = Reachability(quota=1, reachable=True, missing=0, text="x", on_pace=True)
    for value in (stage, stalled, reach):
        same(value.as_json(), reference(value))
    report = ProgressReport(
        organisation=None,
        period=None,
        as_of=Day(2026, 1, 2),
        quotas=[stage, None],
        admissions=None,
        pipeline=None,
        forecast=None,
        breakdown=None,
        members=None,
        children=(),
        no_admission=(stage,),
        dormant_cells=None,
        introducing_bodies=({"a": stalled},),
        ranked_by=None,
        ranking_sources=("x",),
        chart=None,
        children_by_source={"a": (reach,)},
    )
    same(report.as_json(), reference(report))
    assert "ranked_by" not in report.as_json()
    assert report.as_json()["as_of"] == "2026-01-02"
