"""Vietnamese working days, counted across Tết 2026 and the 2 September holiday."""

import datetime

import holidays
from hypothesis import given
from hypothesis import strategies as st

from recruitment import working_days
from recruitment.working_days import add_working_days, holiday_name, is_working_day, working_days_between

D = datetime.date


def test_the_library_puts_tet_2026_on_monday_16_to_friday_20_february():
    tet = {d for d, name in holidays.country_holidays("VN", years=2026, language="vi").items() if "Tết" in name}
    assert {D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 2, 19), D(2026, 2, 20)} <= tet
    assert holiday_name(D(2026, 2, 17)) == "Tết Nguyên Đán"


def test_no_weekday_of_the_tet_2026_week_is_a_working_day():
    assert not any(is_working_day(D(2026, 2, day)) for day in range(16, 21))
    assert is_working_day(D(2026, 2, 13))
    assert is_working_day(D(2026, 2, 23))


def test_the_first_working_day_after_the_friday_before_tet_2026_is_monday_23_february():
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 23)) == 1


def test_thirty_working_days_from_friday_6_february_2026_end_on_friday_27_march():
    # 9-13 Feb: 5, Tết week: 0, then five full weeks to 27 March: 25 more.
    assert add_working_days(D(2026, 2, 6), 30) == D(2026, 3, 27)


def test_sixty_working_days_from_15_january_2026_end_on_16_april():
    # Without Tết the 60th working day would fall a week earlier, on 9 April.
    assert add_working_days(D(2026, 1, 15), 60) == D(2026, 4, 16)


def test_national_day_2026_closes_monday_31_august_to_wednesday_2_september():
    assert [is_working_day(D(2026, 8, 31)), is_working_day(D(2026, 9, 1)), is_working_day(D(2026, 9, 2))] == [
        False,
        False,
        False,
    ]
    assert add_working_days(D(2026, 8, 28), 1) == D(2026, 9, 3)


def test_saturday_22_august_2026_is_a_make_up_working_day():
    assert is_working_day(D(2026, 8, 22))
    assert add_working_days(D(2026, 8, 21), 1) == D(2026, 8, 22)
    assert not is_working_day(D(2026, 8, 29))


def test_thirty_working_days_from_tuesday_25_august_2026_end_on_friday_9_october():
    assert add_working_days(D(2026, 8, 25), 30) == D(2026, 10, 9)
    assert working_days_between(D(2026, 8, 25), D(2026, 10, 9)) == 30


def test_the_start_day_itself_is_never_counted():
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 3)) == 1
    assert add_working_days(D(2026, 3, 2), 0) == D(2026, 3, 2)


def test_counting_from_a_saturday_starts_on_monday():
    assert add_working_days(D(2026, 3, 7), 1) == D(2026, 3, 9)


def test_counting_crosses_new_year_and_its_holiday():
    # 31 Dec 2025 (Wed) -> 1 Jan 2026 is a holiday -> 2 Jan (Fri) is the first working day.
    assert add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 2)
    assert add_working_days(D(2026, 1, 2), -1) == D(2025, 12, 31)
    assert working_days_between(D(2025, 12, 30), D(2026, 1, 5)) == 3


def test_a_count_backwards_is_negative():
    assert working_days_between(D(2026, 2, 23), D(2026, 2, 13)) == -1


def test_every_day_of_2025_and_2026_agrees_with_the_library():
    calendar = holidays.country_holidays("VN", years=[2025, 2026])
    day = D(2025, 1, 1)
    while day <= D(2026, 12, 31):
        assert is_working_day(day) == calendar.is_working_day(day), day
        day += datetime.timedelta(days=1)


def test_repeated_calls_reuse_the_cached_year():
    is_working_day(D(2026, 5, 4))
    before = working_days._working_ordinals.cache_info().misses
    for day in range(1, 29):
        is_working_day(D(2026, 2, day))
    add_working_days(D(2026, 1, 5), 100)
    assert working_days._working_ordinals.cache_info().misses == before


dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2035, 12, 31))


@given(start=dates, n=st.integers(min_value=-400, max_value=400))
def test_adding_n_working_days_then_counting_them_gives_n_back(start, n):
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    if n:
        assert is_working_day(end)


@given(start=dates, end=dates)
def test_stepping_by_the_count_lands_on_the_last_working_day_up_to_the_end(start, end):
    count = working_days_between(start, end)
    if count > 0:
        landed = add_working_days(start, count)
        assert landed <= end
        assert working_days_between(landed, end) == 0
