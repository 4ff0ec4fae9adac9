"""`manage.py send_digests`: a dry run lists who would get what; a real run sends what is not sent."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reports.models import DigestDelivery, DigestStatus

from .world import build_world

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("send_digests", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_dry_run_prints_who_would_get_what_and_sends_nothing(cast, mailbox):
    build_world(cast)
    output = run("--month", "2026-11", "--dry-run")
    assert "Bản tin tháng 11/2026 (báo cáo tháng 10/2026), gửi ngày 02/11/2026: 6 người nhận." in output
    assert "sec_a <sec_a@example.vn> [vi] [chưa tạo] PartyHub · Chi bộ thôn A · tháng 11/2026" in output
    assert "Đảng bộ xã Xuân: kết nạp 2, chỉ tiêu 1" in output
    assert mailbox.received == [] and not DigestDelivery.objects.exists()


def test_a_run_sends_with_a_progress_bar_and_a_second_run_sends_nothing(cast, mailbox):
    build_world(cast)
    output = run("--month", "2026-11")
    assert "6 lượt chưa gửi" in output
    assert "[##############################] 6/6" in output
    assert "Xong: sent 6." in output
    assert len(mailbox.received) == 6
    again = run("--month", "2026-11")
    assert "0 lượt chưa gửi" in again and "không có gì để gửi" in again
    assert len(mailbox.received) == 6


def test_org_keeps_the_recipients_with_a_role_in_that_subtree(cast, mailbox):
    build_world(cast)
    output = run("--month", "2026-11", "--org", "X")
    assert "4 lượt chưa gửi" in output
    assert sorted(r.to for r in mailbox.received) == [
        "commune_board@example.vn",
        "commune_sec@example.vn",
        "sec_a@example.vn",
        "sec_b@example.vn",
    ]


def test_retry_failed_sends_again_once_the_address_is_fixed(cast, mailbox):
    build_world(cast)
    cast.sec_b.email = ""
    cast.sec_b.save(update_fields=["email"])
    run("--month", "2026-11")
    assert DigestDelivery.objects.get(user=cast.sec_b).status == DigestStatus.FAILED
    cast.sec_b.email = "sec_b@example.vn"
    cast.sec_b.save(update_fields=["email"])
    assert "0 lượt chưa gửi" in run("--month", "2026-11")
    output = run("--month", "2026-11", "--retry-failed")
    assert "Đặt lại 1 lượt gửi lỗi." in output and "sent 1" in output
    assert len(mailbox.to("sec_b@example.vn")) == 1


def test_bad_arguments_are_refused_in_plain_words(cast):
    with pytest.raises(CommandError, match="Không có tổ chức mã"):
        run("--month", "2026-11", "--org", "NOPE")
    with pytest.raises(CommandError, match="cần một tháng"):
        run("--month", "2026")
