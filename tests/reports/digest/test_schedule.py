"""The digest goes out on the first working day of each month, at 07:00 Asia/Ho_Chi_Minh."""

import datetime
import zoneinfo

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core import mail

from reports.digest.schedule import first_working_day, is_digest_day
from reports.digest.tasks import send_monthly_digest
from reports.models import DigestDelivery
from tests.factories import UserFactory, grant
from tests.reports.builders import org

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def test_january_2026_starts_on_the_2nd_because_new_year_s_day_is_a_holiday():
    assert first_working_day(2026, 1) == datetime.date(2026, 1, 2)  # Friday


def test_february_2026_the_tet_month_starts_on_monday_the_2nd():
    # Tết 2026 falls on 16-20 February: the month's first working day is the first Monday.
    assert first_working_day(2026, 2) == datetime.date(2026, 2, 2)


def test_february_2025_moves_past_the_last_day_of_tet_and_the_weekend():
    # 1 February 2025 was both a Saturday and the fourth day of Tết.
    assert first_working_day(2025, 2) == datetime.date(2025, 2, 3)


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [(2026, 8, datetime.date(2026, 8, 3)), (2025, 11, datetime.date(2025, 11, 3))],
)
def test_a_month_starting_on_a_saturday_starts_on_the_monday(year, month, expected):
    assert datetime.date(year, month, 1).weekday() == 5
    assert first_working_day(year, month) == expected


def test_september_2026_skips_both_national_day_holidays():
    assert first_working_day(2026, 9) == datetime.date(2026, 9, 3)


def test_every_month_of_2026_has_exactly_one_digest_day():
    day, days = datetime.date(2026, 1, 1), []
    while day.year == 2026:
        if is_digest_day(day):
            days.append(day)
        day += datetime.timedelta(days=1)
    assert [d.month for d in days] == list(range(1, 13))
    assert days == [
        datetime.date(2026, 1, 2),
        datetime.date(2026, 2, 2),
        datetime.date(2026, 3, 2),
        datetime.date(2026, 4, 1),
        datetime.date(2026, 5, 4),
        datetime.date(2026, 6, 1),
        datetime.date(2026, 7, 1),
        datetime.date(2026, 8, 3),
        datetime.date(2026, 9, 3),
        datetime.date(2026, 10, 1),
        datetime.date(2026, 11, 2),
        datetime.date(2026, 12, 1),
    ]


def test_the_beat_entry_runs_the_digest_task_every_day_at_seven_in_hanoi_time():
    entry = settings.CELERY_BEAT_SCHEDULE["reports-monthly-digest"]
    assert entry["task"] == send_monthly_digest.name == "reports.digest.tasks.send_monthly_digest"
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.hour == {7} and schedule.minute == {0}
    assert schedule.day_of_month == set(range(1, 32)) and schedule.day_of_week == set(range(7))
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"


@pytest.mark.django_db
def test_beat_firing_every_morning_of_2026_sends_twelve_digests_one_per_month(django_capture_on_commit_callbacks):
    cell = org("cell", org("commune"))
    secretary = UserFactory(username="bithu", email="bithu@example.vn")
    grant(secretary, cell, "cell_secretary")
    started = []
    day = datetime.date(2026, 1, 1)
    while day.year == 2026:
        seven = datetime.datetime(day.year, day.month, day.day, 7, 0, tzinfo=HCM)
        with time_machine.travel(seven, tick=False), django_capture_on_commit_callbacks(execute=True):
            result = send_monthly_digest.apply().get()
        if result["started"]:
            started.append(day)
        day += datetime.timedelta(days=1)
    assert len(started) == 12
    assert [d.month for d in started] == list(range(1, 13))
    assert len(mail.outbox) == 12
    assert sorted(DigestDelivery.objects.values_list("month", flat=True)) == [
        datetime.date(2026, m, 1) for m in range(1, 13)
    ]


@pytest.mark.django_db
def test_a_second_beat_on_the_digest_day_sends_nothing_more(django_capture_on_commit_callbacks):
    cell = org("cell", org("commune"))
    grant(UserFactory(username="bithu", email="bithu@example.vn"), cell, "cell_secretary")
    for _ in range(2):
        seven = datetime.datetime(2026, 8, 3, 7, 0, tzinfo=HCM)
        with time_machine.travel(seven, tick=False), django_capture_on_commit_callbacks(execute=True):
            assert send_monthly_digest.apply().get()["started"]
    assert len(mail.outbox) == 1
