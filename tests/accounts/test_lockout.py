"""Repeated wrong passwords lock a username from one address (django-axes, accounts/lockout.py)."""

import datetime

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.urls import reverse

from tests.cast import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 12, 5, 2, 0, tzinfo=datetime.UTC)
LOCKED_TITLE = "Tạm khóa đăng nhập"


def _post_login(client, username, password, url_name="login", **extra):
    return client.post(reverse(url_name), {"username": username, "password": password}, **extra)


def _fail(client, username, times, **extra):
    return [_post_login(client, username, "wrong-password", **extra).status_code for _ in range(times)]


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_then_the_right_one_is_refused_with_the_lockout_page(client, settings):
    UserFactory(username="bantochuc")
    # The first four failures show the form again; the fifth locks.
    assert _fail(client, "bantochuc", 5) == [200, 200, 200, 200, 429]

    response = _post_login(client, "bantochuc", PASSWORD)

    assert response.status_code == 429
    body = response.content.decode()
    assert LOCKED_TITLE in body
    assert "bantochuc" in body
    assert "Hãy chờ 30 phút rồi đăng nhập lại." in body
    assert "quản trị viên PartyHub của đơn vị bạn" in body
    assert not _signed_in(client)


def test_the_lockout_page_names_the_configured_contact(client, settings):
    settings.PARTYHUB_LOGIN_HELP = "Văn phòng Ban Tổ chức Tỉnh ủy, ĐT 0123 456 789"
    UserFactory(username="bantochuc")
    _fail(client, "bantochuc", 5)
    body = _post_login(client, "bantochuc", PASSWORD).content.decode()
    assert "Văn phòng Ban Tổ chức Tỉnh ủy, ĐT 0123 456 789" in body


def test_four_failures_then_the_right_password_signs_in_and_clears_the_count(client):
    UserFactory(username="bithu")
    assert _fail(client, "bithu", 4) == [200] * 4
    assert _post_login(client, "bithu", PASSWORD).status_code == 302
    assert _signed_in(client)
    client.logout()
    # The success reset the count: four more failures still do not lock.
    assert _fail(client, "bithu", 4) == [200] * 4
    assert _post_login(client, "bithu", PASSWORD).status_code == 302


def test_a_different_user_from_the_same_address_is_not_locked(client):
    UserFactory(username="bantochuc")
    UserFactory(username="bithu")
    _fail(client, "bantochuc", 5)

    response = _post_login(client, "bithu", PASSWORD)

    assert response.status_code == 302
    assert _signed_in(client)


def test_the_same_user_from_another_address_is_not_locked(client):
    UserFactory(username="bantochuc")
    _fail(client, "bantochuc", 5, REMOTE_ADDR="198.51.100.7")

    assert _post_login(client, "bantochuc", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 429
    assert _post_login(client, "bantochuc", PASSWORD, REMOTE_ADDR="198.51.100.8").status_code == 302


def test_after_the_cooloff_the_right_password_works_and_attempts_during_it_start_the_wait_again(client):
    UserFactory(username="bantochuc")
    with time_machine.travel(START, tick=False) as clock:
        _fail(client, "bantochuc", 5)
        clock.shift(datetime.timedelta(minutes=29))
        assert _post_login(client, "bantochuc", PASSWORD).status_code == 429  # restarts the 30 minutes
        clock.shift(datetime.timedelta(minutes=2))
        assert _post_login(client, "bantochuc", PASSWORD).status_code == 429  # 2 minutes after that attempt
        clock.shift(datetime.timedelta(minutes=31))
        response = _post_login(client, "bantochuc", PASSWORD)
        assert response.status_code == 302
        assert _signed_in(client)


def test_the_admin_login_is_locked_too(client):
    UserFactory(username="quantri", is_staff=True, is_superuser=True)
    assert _fail(client, "quantri", 5, url_name="admin:login")[-1] == 429

    response = _post_login(client, "quantri", PASSWORD, url_name="admin:login")

    assert response.status_code == 429
    assert LOCKED_TITLE in response.content.decode()
    assert not _signed_in(client)
    # The two forms share the count: the application's login is locked as well.
    assert _post_login(client, "quantri", PASSWORD).status_code == 429


def test_behind_the_proxy_the_lock_follows_the_address_the_proxy_saw(client, settings):
    """nginx appends the caller's address to X-Forwarded-For; what the client wrote before it is ignored."""
    settings.PARTYHUB_PROXY_COUNT = 1
    UserFactory(username="bantochuc")
    for n in range(5):
        forwarded = f"10.0.0.{n}, 203.0.113.5"
        _post_login(client, "bantochuc", "wrong-password", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    spoofed = _post_login(
        client, "bantochuc", PASSWORD, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5"
    )
    assert spoofed.status_code == 429
    elsewhere = _post_login(client, "bantochuc", PASSWORD, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert elsewhere.status_code == 302


def test_a_forwarded_address_is_ignored_without_a_proxy(client, settings):
    settings.PARTYHUB_PROXY_COUNT = 0
    UserFactory(username="bantochuc")
    for n in range(5):
        _post_login(client, "bantochuc", "wrong-password", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert _post_login(client, "bantochuc", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_the_test_clients_login_and_a_request_less_authenticate_still_work(client):
    """Code on the server calls authenticate() without a request: nothing to count, the password decides."""
    UserFactory(username="bithu")
    assert authenticate(username="bithu", password=PASSWORD) is not None
    assert authenticate(username="bithu", password="wrong-password") is None
    assert client.login(username="bithu", password=PASSWORD)
    assert _signed_in(client)


def test_the_lockout_check_runs_for_logins_with_a_request(client):
    """The same account is still locked for a request, which every web login has."""
    UserFactory(username="bantochuc")
    _fail(client, "bantochuc", 5)
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    assert authenticate(request, username="bantochuc", password=PASSWORD) is None
