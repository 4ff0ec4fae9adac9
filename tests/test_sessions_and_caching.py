"""Personal data stays off shared computers: no-store on signed-in responses, short idle sessions."""

import datetime

import time_machine
from django.conf import settings
from django.urls import reverse

from .cast import PASSWORD


def test_a_signed_in_page_and_download_are_never_stored(client, cast):
    client.force_login(cast.commune_board)
    for url in (
        reverse("members:organisation", args=[cast.cell_a.pk]),
        reverse("reports:export_people_xlsx", args=[cast.commune_x.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_a_session_ends_after_two_idle_hours_and_each_request_renews_it(client, cast):
    assert settings.SESSION_COOKIE_AGE == 2 * 60 * 60
    home = reverse("members:organisation", args=[cast.cell_a.pk])
    start = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        assert client.login(username=cast.sec_a.username, password=PASSWORD)
        clock.shift(datetime.timedelta(minutes=110))
        assert client.get(home).status_code == 200  # renewed here
        clock.shift(datetime.timedelta(minutes=110))
        assert client.get(home).status_code == 200  # 110 idle minutes since the last request
        clock.shift(datetime.timedelta(minutes=121))
        response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
