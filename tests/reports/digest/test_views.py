"""The digest's pages: preferences, preview (own digest; anyone's for administrators), unsubscribe."""

import pytest
from django.test import Client
from django.urls import reverse

from reports.digest.message import unsubscribe_token
from reports.models import DigestPreference

from .world import build_world

# calendar: the digest's month follows today (make test-dates runs it on each day of its set).
pytestmark = [pytest.mark.django_db, pytest.mark.calendar]
PREVIEW = reverse("reports:digest_preview")
PREFERENCES = reverse("reports:digest_preferences")


def unsubscribe_url(user) -> str:
    return reverse("reports:digest_unsubscribe", args=[unsubscribe_token(user.pk)])


def test_the_preferences_page_saves_the_opt_out_and_the_language(client, cast):
    client.force_login(cast.sec_a)
    page = client.get(PREFERENCES)
    assert page.status_code == 200 and "Chi bộ thôn A" in page.content.decode()
    response = client.post(PREFERENCES, {"opted_out": "on", "language": "en"})
    assert response.status_code == 302
    preference = DigestPreference.objects.get(user=cast.sec_a)
    assert (preference.opted_out, preference.language) == (True, "en")
    client.post(PREFERENCES, {"language": "vi"})
    preference.refresh_from_db()
    assert (preference.opted_out, preference.language) == (False, "vi")


def test_the_preferences_page_refuses_an_unknown_language(client, cast):
    client.force_login(cast.sec_a)
    response = client.post(PREFERENCES, {"language": "fr"})
    assert response.status_code == 200
    assert not DigestPreference.objects.filter(user=cast.sec_a).exists()


def test_a_user_previews_their_own_digest_for_a_chosen_month(client, cast):
    build_world(cast)
    client.force_login(cast.sec_a)
    response = client.get(PREVIEW, {"thang": "2026-11"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "PartyHub · Chi bộ thôn A · tháng 11/2026" in body
    assert "Người Kết Nạp A" in body and "Người Kết Nạp B" not in body
    text = client.get(PREVIEW, {"thang": "2026-11", "dang": "text"})
    assert text["Content-Type"].startswith("text/plain") and "Người Kết Nạp A" in text.content.decode()


def test_someone_else_s_digest_is_404_for_anyone_but_an_administrator(client, cast, django_user_model):
    build_world(cast)
    client.force_login(cast.commune_sec)
    assert client.get(PREVIEW, {"nguoi": cast.sec_a.pk}).status_code == 404
    assert client.get(PREVIEW, {"nguoi": cast.commune_sec.pk}).status_code == 200

    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    response = client.get(PREVIEW, {"nguoi": cast.sec_b.pk, "thang": "2026-11"})
    assert response.status_code == 200
    assert "Người Kết Nạp B" in response.content.decode()
    assert client.get(PREVIEW, {"nguoi": 999999}).status_code == 404


def test_administrators_see_who_receives_it_and_who_has_no_address(client, cast, django_user_model):
    build_world(cast)
    cast.commune_board.email = ""
    cast.commune_board.save(update_fields=["email"])
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    body = client.get(PREVIEW, {"thang": "2026-11"}).content.decode()
    assert "Người nhận tháng này: 6" in body
    assert "tài khoản chưa có địa chỉ email" in body and "commune_board" in body


def test_a_user_without_a_digest_role_is_told_so(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    response = client.get(PREVIEW)
    assert response.status_code == 200
    assert "không giữ vai trò nào nhận bản tin tháng" in response.content.decode()


def test_a_bad_month_falls_back_to_this_month_with_a_warning(client, cast):
    client.force_login(cast.sec_a)
    response = client.get(PREVIEW, {"thang": "2026-13"})
    assert response.status_code == 200
    assert "Tháng không hợp lệ" in response.content.decode()


def test_opening_the_unsubscribe_link_only_asks_for_confirmation(client, cast):
    response = client.get(unsubscribe_url(cast.sec_a))
    assert response.status_code == 200
    assert "<form" in response.content.decode()
    assert not DigestPreference.objects.filter(user=cast.sec_a, opted_out=True).exists()


def test_posting_the_unsubscribe_link_opts_out_without_a_login_or_a_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    response = client.post(unsubscribe_url(cast.sec_a), "List-Unsubscribe=One-Click", content_type="text/plain")
    assert response.status_code == 200
    assert DigestPreference.objects.get(user=cast.sec_a).opted_out


def test_a_forged_or_damaged_token_changes_nothing(client, cast):
    good = unsubscribe_token(cast.sec_a.pk)
    for token in (good[:-2] + "xx", "abc", unsubscribe_token(cast.sec_a.pk).replace("eyJ1Ijo", "eyJ1Ijp")):
        response = client.post(reverse("reports:digest_unsubscribe", args=[token]))
        assert response.status_code == 400
    assert not DigestPreference.objects.exists()


def test_the_preview_and_preferences_need_a_login(client):
    for url in (PREVIEW, PREFERENCES):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
