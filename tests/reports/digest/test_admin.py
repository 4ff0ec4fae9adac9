"""Administrators see who received what, the failures with the server's answer, and the takeovers."""

import pytest
from django.urls import reverse

from reports.digest import delivery
from reports.models import DigestDelivery

from .world import EDITION, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    return client


def test_the_deliveries_list_shows_failures_and_filters_by_status_takeover_and_month(admin_client, cast, mailbox):
    build_world(cast)
    mailbox.refuse_rcpt["sec_b@example.vn"] = "550 5.1.1 No such user"
    delivery.deliver_chunk(delivery.deliveries_plan(EDITION), worker="w")
    DigestDelivery.objects.filter(user=cast.sec_a).update(taken_over=True)
    url = reverse("admin:reports_digestdelivery_changelist")
    body = admin_client.get(url).content.decode()
    assert "550 5.1.1 No such user" in body and "PartyHub · Chi bộ thôn A · tháng 11/2026" in body
    failed = admin_client.get(url, {"status__exact": "failed"}).content.decode()
    assert "sec_b@example.vn" in failed and "sec_a@example.vn" not in failed
    taken = admin_client.get(url, {"taken_over__exact": "1"})
    assert taken.status_code == 200 and "sec_a" in taken.content.decode()
    assert admin_client.get(url, {"month__exact": "2026-11-01"}).status_code == 200
    row = DigestDelivery.objects.get(user=cast.sec_b)
    assert admin_client.get(reverse("admin:reports_digestdelivery_change", args=[row.pk])).status_code == 200


def test_the_preferences_list_loads(admin_client, cast):
    assert admin_client.get(reverse("admin:reports_digestpreference_changelist")).status_code == 200
