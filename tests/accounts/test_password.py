"""The password policy (AUTH_PASSWORD_VALIDATORS) and the page where a user changes their password."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.demo.users import DEMO_PASSWORD, DEMO_USERNAMES
from tests.cast import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "mùa lúa chín ở Minh Sơn"


def _change(client, old, new, again=None):
    data = {"old_password": old, "new_password1": new, "new_password2": new if again is None else again}
    return client.post(reverse("accounts:password_change"), data)


def _can_log_in(username, password) -> bool:
    from django.test import Client

    return Client().login(username=username, password=password)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ngắn-1234", "Mật khẩu quá ngắn: cần ít nhất 12 ký tự."),
        ("123456789012", "Mật khẩu này hoàn toàn là số."),
        ("password1234", "Mật khẩu này quá phổ biến."),
        ("nguyenvanbinh", "Mật khẩu quá giống với"),
    ],
)
def test_a_weak_new_password_is_refused_with_a_vietnamese_reason(client, password, message):
    user = UserFactory(username="nguyenvanbinh", first_name="Bình", last_name="Nguyễn Văn")
    client.force_login(user)

    response = _change(client, PASSWORD, password)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert _can_log_in("nguyenvanbinh", PASSWORD)


def test_a_strong_password_is_changed_and_the_session_stays_signed_in(client):
    user = UserFactory(username="bithu")
    client.force_login(user)

    response = _change(client, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert _can_log_in("bithu", NEW_PASSWORD)
    assert not _can_log_in("bithu", PASSWORD)
    # update_session_auth_hash: the page after the change is still signed in, with the message.
    page = client.get(reverse("members:tree"))
    assert page.status_code == 200
    assert "Đã đổi mật khẩu." in page.content.decode()


def test_a_wrong_old_password_changes_nothing(client):
    client.force_login(UserFactory(username="bithu"))
    response = _change(client, "not-my-password", NEW_PASSWORD)
    assert response.status_code == 200
    assert _can_log_in("bithu", PASSWORD)
    assert not _can_log_in("bithu", NEW_PASSWORD)


def test_the_page_needs_a_signed_in_user(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_user_menu_links_to_the_page(client):
    client.force_login(UserFactory(username="bithu"))
    body = client.get(reverse("members:tree")).content.decode()
    assert f'href="{reverse("accounts:password_change")}"' in body


def test_the_policy_asks_for_twelve_characters():
    with pytest.raises(ValidationError):
        validate_password("Abc-def-ghi")  # 11 characters
    validate_password("Abc-def-ghij")


@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_the_published_demo_password_passes_the_policy(username):
    """The demo logins keep working and may even be set again through the form."""
    user = UserFactory.build(username=username, first_name="An", last_name="Nguyễn Văn", email=f"{username}@x.vn")
    validate_password(DEMO_PASSWORD, user)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("vi", "Mật khẩu quá ngắn: cần ít nhất 12 ký tự."),
        ("en", "This password is too short: it needs at least 12 characters."),
    ],
)
def test_a_short_password_is_refused_in_the_users_language(language, message):
    from django.utils import translation

    with translation.override(language), pytest.raises(ValidationError) as refused:
        validate_password("Ngắn-1234")
    assert refused.value.messages == [message]
