"""The digest as received by a real SMTP server on 127.0.0.1: recipients, subtrees, parts, headers."""

import re
from urllib.parse import urlsplit

import pytest

from reports.digest.message import user_id_from_token
from reports.models import DigestPreference

from .world import EDITION, build_world, run_job

pytestmark = pytest.mark.django_db

NOT_IN_CELL_A = ("Người Kết Nạp B", "Người Kết Nạp C", "Quần chúng B", "Quần chúng C", "thôn B", "thôn C")


@pytest.fixture
def sent(cast, mailbox, django_capture_on_commit_callbacks):
    build_world(cast)
    cast.commune_board.email = ""  # a role holder the digest cannot reach
    cast.commune_board.save(update_fields=["email"])
    run_job(django_capture_on_commit_callbacks)
    return mailbox


def test_every_secretary_and_board_with_an_address_gets_exactly_one_message(sent):
    assert sorted(r.to for r in sent.received) == [
        "commune_sec@example.vn",
        "outsider@example.vn",
        "province_board@example.vn",
        "sec_a@example.vn",
        "sec_b@example.vn",
    ]


def test_a_cell_secretary_s_message_names_nobody_from_another_cell(sent):
    [message] = sent.to("sec_a@example.vn")
    assert "Người Kết Nạp A" in message.text and "Người Kết Nạp A" in message.html
    for part in (message.text, message.html, message.header("Subject")):
        for other in NOT_IN_CELL_A:
            assert other not in part, other


def test_the_commune_s_message_covers_its_two_cells_and_not_the_other_commune(sent):
    [message] = sent.to("commune_sec@example.vn")
    assert "Người Kết Nạp A" in message.text and "Người Kết Nạp B" in message.text
    assert "Người Kết Nạp C" not in message.text and "Người Kết Nạp C" not in message.html
    # The colleague without an address is named under "data to fix".
    assert "commune_board" in message.text


def test_each_message_has_a_text_and_an_inlined_html_part(sent):
    [message] = sent.to("province_board@example.vn")
    assert message.message.get_content_type() == "multipart/alternative"
    assert "Người Kết Nạp C" in message.text and "Người Kết Nạp C" in message.html
    assert "<style" not in message.html and 'style="' in message.html
    assert 'name="viewport"' in message.html


def test_the_subject_names_the_organisation_and_the_month_on_one_line(sent):
    [message] = sent.to("sec_a@example.vn")
    assert message.header("Subject") == "PartyHub · Chi bộ thôn A · tháng 11/2026"


def test_every_link_is_absolute(sent):
    [message] = sent.to("commune_sec@example.vn")
    hrefs = re.findall(r'href="([^"]+)"', message.html)
    assert hrefs and all(h.startswith("https://partyhub.example.vn/") for h in hrefs)


def test_the_unsubscribe_headers_follow_rfc_8058(sent):
    [message] = sent.to("sec_a@example.vn")
    header = message.header("List-Unsubscribe")
    assert re.fullmatch(r"<https://partyhub\.example\.vn/ban-tin-thang/ngung-nhan/[^>\s]+/>", header)
    assert message.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<digest-\d+-202611@partyhub\.example\.vn>", message.message_id)


def test_the_unsubscribe_link_opts_out_with_one_post_and_the_next_run_skips_them(
    sent, cast, client, django_capture_on_commit_callbacks
):
    [message] = sent.to("sec_a@example.vn")
    url = message.header("List-Unsubscribe").strip("<>")
    token = urlsplit(url).path.rstrip("/").rsplit("/", 1)[1]
    assert user_id_from_token(token) == cast.sec_a.pk
    # What a mail client does for a one-click unsubscribe: a POST without cookies.
    response = client.post(urlsplit(url).path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert DigestPreference.objects.get(user=cast.sec_a).opted_out

    sent.clear()
    run_job(django_capture_on_commit_callbacks, edition=EDITION.replace(month=12))
    assert sorted(r.to for r in sent.received) == [
        "commune_sec@example.vn",
        "outsider@example.vn",
        "province_board@example.vn",
        "sec_b@example.vn",
    ]


def test_the_mailto_unsubscribe_is_offered_when_a_mailbox_is_configured(
    cast, mailbox, settings, django_capture_on_commit_callbacks
):
    settings.DIGEST_UNSUBSCRIBE_MAILTO = "unsubscribe@partyhub.example.vn"
    build_world(cast)
    run_job(django_capture_on_commit_callbacks)
    [message] = mailbox.to("sec_b@example.vn")
    https, mailto = (t.strip() for t in message.header("List-Unsubscribe").split(","))
    assert https.startswith("<https://") and mailto == (
        f"<mailto:unsubscribe@partyhub.example.vn?subject=unsubscribe-{cast.sec_b.pk}>"
    )
