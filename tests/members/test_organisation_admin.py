"""The administrator adds an organisation in the admin, under the same structure rules as the pages."""

import pytest
from django.urls import reverse

from members.models import Organisation
from members.vocabulary import Level
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))


def test_the_admin_adds_a_cell_under_a_commune(client, cast):
    _admin(client)
    response = client.post(
        reverse("admin:members_organisation_add"),
        {"code": "Z1", "name": "Chi bộ thôn Mới", "level": Level.CELL, "parent": cast.commune_x.pk, "sector": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Organisation.objects.get(code="Z1")
    assert Organisation.objects.get_parent(created).pk == cast.commune_x.pk
    assert created.history.order_by("-history_id").first().history_user.is_superuser


def test_the_admin_cannot_add_a_cell_under_a_cell(client, cast):
    _admin(client)
    response = client.post(
        reverse("admin:members_organisation_add"),
        {"code": "Z2", "name": "Chi bộ con", "level": Level.CELL, "parent": cast.cell_a.pk, "sector": ""},
    )
    assert response.status_code == 200
    assert "Không thể đặt Chi bộ trực thuộc dưới Chi bộ trực thuộc" in response.content.decode()
    assert not Organisation.objects.filter(code="Z2").exists()
