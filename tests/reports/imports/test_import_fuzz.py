"""Random cell values through the row validators: nothing escapes as a crash, every bad cell is reported."""

import datetime
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.imports import cells
from reports.imports.columns import BOOL, CHOICE, CITIZEN_ID, CODE, DATE, DECIMAL, INT, PERIOD, SHEETS, TEXT
from reports.imports.rows import parse_cell, validate_row

# Whatever openpyxl can hand over for a cell.
raw_values = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.text(alphabet="0123456789/.-: ", max_size=14),
    st.integers(min_value=-(10**13), max_value=10**13),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.sampled_from(["Có", "không", "Nam", "Nữ", "31/02/2024", "2025-2030", "2026", "=SUM(A1:A3)", " ", "\u0301"]),
)


def example_row(spec) -> dict:
    return {c.key: c.example for c in spec.columns if c.example not in (None, "")}


@pytest.mark.parametrize("spec", SHEETS, ids=lambda s: s.key)
def test_the_example_rows_of_the_template_are_valid(spec):
    values, problems = validate_row(spec, example_row(spec))
    assert problems == []
    assert all(values.get(c.key) is not None for c in spec.columns if c.required)


@settings(max_examples=300, deadline=None)
@given(spec=st.sampled_from(SHEETS), data=st.data())
def test_random_rows_never_crash_and_every_unreadable_cell_is_reported(spec, data):
    keys = [c.key for c in spec.columns]
    chosen = data.draw(st.lists(st.sampled_from(keys), unique=True, max_size=len(keys)))
    raw = {**example_row(spec), **{k: data.draw(raw_values) for k in chosen}}
    values, problems = validate_row(spec, raw)
    reported = {p.column for p in problems}
    assert reported <= set(keys) | {""}
    assert all(p.message and p.rule for p in problems)
    for column in spec.columns:
        try:
            parse_cell(column, raw.get(column.key))
        except cells.CellError:
            assert column.key in reported, (column.key, raw.get(column.key))
        if column.required and cells.is_blank(raw.get(column.key)):
            assert column.key in reported
        if column.key not in reported and column.key in values:
            assert _of_kind(column, values[column.key])


def _of_kind(column, value) -> bool:
    if value is None:
        return True
    expected = {
        DATE: datetime.date,
        INT: int,
        BOOL: bool,
        CHOICE: str,
        CITIZEN_ID: str,
        TEXT: str,
        CODE: str,
    }.get(column.kind)
    if column.kind == DECIMAL:
        return value.is_finite()
    if column.kind == PERIOD:
        return value.start <= value.end
    if column.kind == CITIZEN_ID:
        return len(value) == 12 and value.isdigit()
    if column.kind == CHOICE:
        return value in column.choices.values
    if column.max_length and isinstance(value, str) and len(value) > column.max_length:
        return False
    return isinstance(value, expected)


# One value that is wrong for each kind of column, with the words the report must use.
BAD = {
    DATE: ("31/02/2024", "không có trong lịch"),
    INT: ("mười", "không phải số nguyên"),
    DECIMAL: ("năm phần trăm", "không phải số"),
    BOOL: ("có lẽ", "Có / Không"),
    CHOICE: ("không rõ", "không có trong danh mục"),
    CITIZEN_ID: ("12345", "12 chữ số"),
    PERIOD: ("2024-2026", "kỳ chỉ tiêu"),
}


@pytest.mark.parametrize(
    ("spec", "column"),
    [(s, c) for s in SHEETS for c in s.columns if c.kind in BAD or c.max_length],
    ids=lambda x: getattr(x, "key", ""),
)
def test_each_bad_cell_is_reported_under_its_column_with_the_rule(spec, column):
    bad, words = BAD.get(column.kind, ("x" * ((column.max_length or 0) + 1), "tối đa"))
    _values, problems = validate_row(spec, {**example_row(spec), column.key: bad})
    mine = [p for p in problems if p.column == column.key]
    assert mine, problems
    assert words in mine[0].message
    assert mine[0].rule


def test_nan_and_infinity_are_values_not_crashes():
    from reports.imports.columns import QUOTAS

    for value in (math.nan, math.inf, -math.inf):
        _values, problems = validate_row(QUOTAS, {**example_row(QUOTAS), "value": value, "rate_percent": value})
        assert {"value", "rate_percent"} <= {p.column for p in problems}


def test_names_fold_the_same_whatever_the_tone_mark_placement_case_or_normal_form():
    import unicodedata

    for old, new in (("Hoà", "Hòa"), ("Thuý", "Thúy"), ("khoẻ", "khỏe"), ("Hoạ", "Họa")):
        assert cells.fold(old) == cells.fold(new.upper()) == cells.fold(unicodedata.normalize("NFD", new))
    for a, b in (("An", "Ân"), ("Bình", "Binh"), ("Hòa", "Hóa"), ("Nguyễn", "Nguyên")):
        assert cells.fold(a) != cells.fold(b)
