"""The second factor: board staff, administrators and superusers confirm each login (accounts/)."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from members.vocabulary import Role
from tests.cast import PASSWORD
from tests.factories import UserFactory, grant

pytestmark = [pytest.mark.django_db, pytest.mark.require_otp]

START = datetime.datetime(2026, 12, 5, 2, 0, tzinfo=datetime.UTC)
ENROL = reverse("accounts:otp_enrol")
VERIFY = reverse("accounts:otp_verify")


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _code(device: TOTPDevice) -> str:
    """The code the user's phone shows now, computed from the device's key as an app would."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _page(cast):
    return cast.cell_a.get_absolute_url()


def _enrol(client, user) -> list[str]:
    """Set up an authenticator for `user` in this client's session; the recovery codes shown."""
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL, {"code": _code(device), "next": "/"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # the recovery codes stay out of any cache
    return re.findall(r'<li class="col-6 mb-1">([a-z2-7]{8})</li>', response.content.decode())


def _fresh_session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_setting_names_real_roles():
    assert set(django_settings.PARTYHUB_REQUIRE_OTP_ROLES) == {Role.BOARD_STAFF, Role.ADMINISTRATOR}


def test_a_board_user_without_an_authenticator_is_sent_to_set_one_up(client, cast):
    client.force_login(cast.commune_board)

    response = client.get(_page(cast))

    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next={_page(cast).replace('/', '%2F')}"


@pytest.mark.parametrize("kind", ["administrator", "superuser"])
def test_administrators_and_superusers_must_pass_too(client, cast, kind):
    if kind == "superuser":
        user = UserFactory(username="root", is_staff=True, is_superuser=True)
    else:
        user = UserFactory(username="quantri")
        grant(user, cast.province, Role.ADMINISTRATOR)
    client.force_login(user)
    assert client.get(reverse("members:tree"))["Location"].startswith(ENROL)
    if kind == "superuser":
        assert client.get(reverse("admin:index"))["Location"].startswith(ENROL)


@pytest.mark.parametrize("name", ["sec_a", "commune_sec"])
def test_cell_and_committee_secretaries_are_not_asked(client, cast, name):
    client.force_login(getattr(cast, name))
    assert client.get(_page(cast)).status_code == 200
    assert "Xác thực hai bước" not in client.get(_page(cast)).content.decode()


def test_logging_in_through_the_form_leads_a_board_user_to_the_enrolment(client, cast):
    response = client.post(reverse("login"), {"username": "commune_board", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith(ENROL)
    assert "Thiết lập xác thực hai bước" in response.content.decode()


def test_the_enrolment_page_shows_the_uri_the_qr_code_and_the_secret_in_groups(client, cast):
    client.force_login(cast.commune_board)
    body = client.get(ENROL).content.decode()
    device = TOTPDevice.objects.get(user=cast.commune_board, confirmed=False)
    assert "otpauth://totp/PartyHub%3Acommune_board?secret=" in body
    assert 'src="data:image/svg+xml' in body
    secret = second_factor.grouped_secret(device)
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{4}", secret)
    assert secret in body
    # A reload shows the same secret: the pending device is kept until confirmed.
    assert secret in client.get(ENROL).content.decode()
    assert TOTPDevice.objects.filter(user=cast.commune_board).count() == 1


def test_enrolment_with_the_right_code_succeeds_and_yields_ten_recovery_codes(client, cast, clock):
    client.force_login(cast.commune_board)

    codes = _enrol(client, cast.commune_board)

    assert len(codes) == 10 == len(set(codes))
    stored = set(StaticToken.objects.filter(device__user=cast.commune_board).values_list("token", flat=True))
    assert stored == set(codes)
    assert TOTPDevice.objects.get(user=cast.commune_board).confirmed
    # This session is confirmed: the board's pages open.
    assert client.get(_page(cast)).status_code == 200


def test_enrolment_with_a_wrong_code_confirms_nothing(client, cast, clock):
    client.force_login(cast.commune_board)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=cast.commune_board)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(ENROL, {"code": wrong})

    assert response.status_code == 200
    assert "Mã không đúng" in response.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert not StaticToken.objects.exists()
    assert client.get(_page(cast))["Location"].startswith(ENROL)


def test_a_user_with_an_authenticator_is_asked_for_its_code_at_each_login(cast, clock):
    _enrol(_fresh_session(cast.commune_board), cast.commune_board)
    clock.shift(datetime.timedelta(seconds=60))
    client = _fresh_session(cast.commune_board)

    asked = client.get(_page(cast))
    assert asked["Location"].startswith(VERIFY)
    # Without a confirmed session the authenticator cannot be replaced.
    assert client.get(ENROL)["Location"].startswith(VERIFY)

    device = TOTPDevice.objects.get(user=cast.commune_board)
    response = client.post(asked["Location"], {"code": _code(device)})

    assert response.status_code == 302
    assert response["Location"] == _page(cast)
    assert client.get(_page(cast)).status_code == 200


def test_a_code_is_accepted_only_once(cast, clock):
    _enrol(_fresh_session(cast.commune_board), cast.commune_board)
    clock.shift(datetime.timedelta(seconds=60))
    device = TOTPDevice.objects.get(user=cast.commune_board)
    code = _code(device)
    assert _fresh_session(cast.commune_board).post(VERIFY, {"code": code}).status_code == 302

    clock.shift(datetime.timedelta(seconds=5))  # past the throttle, same 30-second step
    replay = _fresh_session(cast.commune_board).post(VERIFY, {"code": code})
    assert replay.status_code == 200
    assert "Mã không đúng" in replay.content.decode()


def test_a_recovery_code_works_once(cast, clock):
    codes = _enrol(_fresh_session(cast.commune_board), cast.commune_board)
    client = _fresh_session(cast.commune_board)

    # As printed on paper, in capitals with a space, it still works.
    used = codes[3]
    response = client.post(VERIFY, {"code": f"{used[:4].upper()} {used[4:].upper()}", "next": _page(cast)}, follow=True)

    assert response.redirect_chain[0] == (_page(cast), 302)
    assert response.status_code == 200
    assert "Còn 9 mã" in response.content.decode()
    assert second_factor.recovery_codes_left(cast.commune_board) == 9

    clock.shift(datetime.timedelta(seconds=5))
    again = _fresh_session(cast.commune_board).post(VERIFY, {"code": used})
    assert again.status_code == 200
    assert "Mã không đúng" in again.content.decode()
    clock.shift(datetime.timedelta(seconds=5))
    assert _fresh_session(cast.commune_board).post(VERIFY, {"code": codes[4]}).status_code == 302


def test_wrong_codes_are_throttled(cast, clock):
    _enrol(_fresh_session(cast.commune_board), cast.commune_board)
    clock.shift(datetime.timedelta(seconds=60))
    client = _fresh_session(cast.commune_board)
    device = TOTPDevice.objects.get(user=cast.commune_board)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"

    client.post(VERIFY, {"code": wrong})
    client.post(VERIFY, {"code": wrong})  # 1 second not yet passed: not even read
    response = client.post(VERIFY, {"code": _code(device)})

    assert "Đã nhập sai nhiều lần. Hãy chờ" in response.content.decode()
    assert client.get(_page(cast))["Location"].startswith(VERIFY)
    clock.shift(datetime.timedelta(seconds=3))
    assert client.post(VERIFY, {"code": _code(device)}).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, cast, clock):
    client.force_login(cast.commune_board)
    old = _enrol(client, cast.commune_board)

    response = client.post(reverse("accounts:otp_recovery_codes"))

    new = re.findall(r'<li class="col-6 mb-1">([a-z2-7]{8})</li>', response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    clock.shift(datetime.timedelta(seconds=5))
    assert _fresh_session(cast.commune_board).post(VERIFY, {"code": old[0]}).status_code == 200
    clock.shift(datetime.timedelta(seconds=5))  # past the throttle of that failure
    assert _fresh_session(cast.commune_board).post(VERIFY, {"code": new[0]}).status_code == 302


def test_a_confirmed_session_may_move_to_a_new_phone(client, cast, clock):
    client.force_login(cast.commune_board)
    _enrol(client, cast.commune_board)
    old_device = TOTPDevice.objects.get(user=cast.commune_board)
    clock.shift(datetime.timedelta(seconds=60))

    assert "chuyển sang một điện thoại" in client.get(ENROL).content.decode()
    new_device = TOTPDevice.objects.get(user=cast.commune_board, confirmed=False)
    assert client.post(ENROL, {"code": _code(new_device)}).status_code == 200

    assert list(TOTPDevice.objects.filter(user=cast.commune_board)) == [new_device]
    assert not TOTPDevice.objects.filter(pk=old_device.pk).exists()


def test_an_unconfirmed_session_may_log_out_and_switch_language_but_nothing_else(client, cast):
    client.force_login(cast.commune_board)
    assert client.post(reverse("set_language"), {"language": "en", "next": ENROL}).status_code == 302
    htmx = client.get(_page(cast), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"].startswith(ENROL)
    assert client.get(reverse("accounts:password_change"))["Location"].startswith(ENROL)
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_next_never_leaves_the_site(cast, clock):
    _enrol(_fresh_session(cast.commune_board), cast.commune_board)
    clock.shift(datetime.timedelta(seconds=60))
    client = _fresh_session(cast.commune_board)
    device = TOTPDevice.objects.get(user=cast.commune_board)
    response = client.post(VERIFY, {"code": _code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_the_user_menu_offers_the_page_to_those_who_need_it(client, cast, clock):
    client.force_login(cast.commune_board)
    _enrol(client, cast.commune_board)
    body = client.get(_page(cast)).content.decode()
    assert reverse("accounts:otp_settings") in body
    settings_page = client.get(reverse("accounts:otp_settings")).content.decode()
    assert "Còn 10 mã dự phòng chưa dùng." in settings_page


def test_a_cell_secretary_is_not_offered_an_authenticator(client, cast):
    client.force_login(cast.sec_a)
    assert client.get(ENROL).status_code == 404
    assert "không bắt buộc" in client.get(reverse("accounts:otp_settings")).content.decode()


def test_turned_off_nobody_is_asked(client, cast, settings):
    settings.PARTYHUB_REQUIRE_OTP_ROLES = ()
    client.force_login(cast.commune_board)
    assert client.get(_page(cast)).status_code == 200
