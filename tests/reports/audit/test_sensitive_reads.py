"""Finding 8 of issue 14: the pages and files that show citizen IDs, ethnicity, religion or the background
verification's replies log one row each (partyhub/audit.py, reports/audit/reads.py; docs/security.md)."""

import datetime

import pytest
from django.urls import reverse

from recruitment import services
from reports.models import SensitiveRead
from tests.cast import add_recruitment

pytestmark = pytest.mark.django_db


def test_a_member_page_shown_with_the_sensitive_fields_logs_one_row_naming_the_person(client, cast):
    client.force_login(cast.commune_sec)  # committee secretary of X: sees them
    page = client.get(reverse("members:member", args=[cast.member_a.pk]))
    assert page.status_code == 200 and "data-sensitive" in page.content.decode()
    read = SensitiveRead.objects.get()
    assert (read.user, read.where, read.person_ids, read.count) == (
        cast.commune_sec,
        "member_page",
        [cast.member_a.person_id],
        1,
    )
    assert read.field_list == ["citizen_id", "ethnicity", "religion"]


def test_a_member_page_shown_without_them_logs_nothing(client, cast):
    client.force_login(cast.sec_a)  # cell secretary: does not see them
    page = client.get(reverse("members:member", args=[cast.member_a.pk]))
    assert page.status_code == 200 and "data-sensitive" not in page.content.decode()
    assert not SensitiveRead.objects.exists()


def test_a_candidate_page_logs_the_verification_reply_to_whoever_it_shows_it(client, cast):
    recruitment = add_recruitment(cast)
    candidate = recruitment.candidate_a
    client.force_login(cast.sec_a)
    client.get(reverse("recruitment:candidate", args=[candidate.pk]))
    assert not SensitiveRead.objects.exists()  # no reply yet, and no personal field for a cell secretary
    services.verification_request_record_reply(
        request=recruitment.verification_a, replied_on=datetime.date(2024, 3, 10), reply="Lý lịch rõ ràng", by=None
    )
    page = client.get(reverse("recruitment:candidate", args=[candidate.pk]))
    assert "Lý lịch rõ ràng" in page.content.decode()
    client.force_login(cast.commune_board)
    client.get(reverse("recruitment:candidate", args=[candidate.pk]))
    rows = list(SensitiveRead.objects.order_by("pk").values_list("user__username", "fields", "people"))
    assert rows == [
        ("sec_a", "verification", f",{candidate.person_id},"),
        ("commune_board", "citizen_id,ethnicity,religion,verification", f",{candidate.person_id},"),
    ]


def test_the_import_format_export_logs_one_row_with_its_subtree_and_count(client, cast):
    client.force_login(cast.commune_board)
    response = client.get(reverse("reports:export_import_format", args=[cast.commune_x.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    read = SensitiveRead.objects.get()
    assert (read.user, read.where, read.organisation, read.count, read.people) == (
        cast.commune_board,
        "import_format_xlsx",
        cast.commune_x,
        2,  # the members of cells A and B
        "",
    )
