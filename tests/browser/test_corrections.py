"""Corrections on a phone (issue 13, item 1): a cell secretary adds a candidate's missing education and
the vote passes; a step recorded by mistake is undone after a confirmation page.

The live server runs on the real clock, so every date is counted back from today.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.vocabulary import MemberStatus
from recruitment import services
from recruitment.models import CellVote, Correction
from recruitment.vocabulary import Stage
from tests.factories import MemberFactory
from tests.recruitment.journey import walk

from .conftest import PHONE, login, screenshot, scroll_width

pytestmark = pytest.mark.browser


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def at_dossier(cast, *, name: str, general_education: str):
    today = timezone.localdate()
    introducers = [MemberFactory(cell=cast.cell_a, status=MemberStatus.FULL) for _ in range(2)]
    candidate = services.candidate_propose(
        cell=cast.cell_a,
        introduced_by="youth_union",
        proposed_on=today - days(150),
        person_fields={
            "full_name": name,
            "gender": "male",
            "date_of_birth": datetime.date(1999, 6, 1),
            "general_education": general_education,
            "is_youth_union_member": True,
        },
        by=None,
    )
    return walk(candidate, to=Stage.DOSSIER, introducers=introducers, by=None, start=today - days(100))


def vote_on_the_page(phone: Page, held_on: datetime.date) -> None:
    phone.locator('[name="held_on"]').fill(held_on.isoformat())
    phone.locator('[name="votes_for"]').fill("3")
    phone.locator("#next-step").get_by_role("button", name="Ghi nhận").click()


def test_a_cell_secretary_corrects_the_missing_education_and_passes_the_vote(live_cast, live_server, phone):
    today = timezone.localdate()
    candidate = at_dossier(live_cast, name="Lê Văn Bình", general_education="")
    login(phone, live_server, "sec_a")
    phone.goto(f"{live_server.url}{candidate.get_absolute_url()}")

    # The vote is refused: no education on file.
    vote_on_the_page(phone, today - days(10))
    expect(phone).to_have_url(re.compile(r"/buoc/cell-vote/$"))
    expect(phone.get_by_role("alert").first).to_contain_text("Chưa ghi trình độ giáo dục phổ thông")
    assert not CellVote.objects.exists()

    # The secretary opens the details from the candidate page and adds it, with the reason.
    phone.goto(f"{live_server.url}{candidate.get_absolute_url()}")
    phone.locator("#edit-details").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Sửa thông tin cá nhân")
    expect(phone.locator('[name="citizen_id"]')).to_have_count(0)  # not a sensitive-data role
    phone.locator('[name="general_education"]').select_option("upper_secondary")
    assert scroll_width(phone) <= PHONE["width"]
    phone.get_by_role("button", name="Lưu sửa đổi").click()
    # Without a reason the browser keeps the form (the field is required) and nothing is saved.
    expect(phone.locator('[name="reason"]')).to_have_attribute("required", "")
    expect(phone).to_have_url(re.compile(r"/sua/$"))
    assert not Correction.objects.exists()
    phone.locator('[name="reason"]').fill("Bổ sung theo bằng tốt nghiệp THPT")
    phone.get_by_role("button", name="Lưu sửa đổi").click()

    expect(phone.get_by_role("alert").filter(has_text="Đã sửa “Thông tin cá nhân”")).to_be_visible()
    timeline = phone.locator("#timeline")
    expect(timeline).to_contain_text("Bổ sung theo bằng tốt nghiệp THPT")
    expect(timeline).to_contain_text("Sửa bởi sec_a")
    expect(timeline.locator('[data-kind="correction"]')).to_contain_text("Trung học phổ thông")

    # Now the vote passes.
    vote_on_the_page(phone, today - days(10))
    expect(phone.get_by_role("alert").filter(has_text="Đã ghi nhận")).to_be_visible()
    expect(timeline).to_contain_text("Chi bộ biểu quyết: 3/3 phiếu tán thành")
    assert scroll_width(phone) <= PHONE["width"]
    screenshot(phone, "correction-details-390")
    candidate.refresh_from_db()
    assert candidate.stage == Stage.CELL_RESOLUTION


def test_a_cell_secretary_undoes_a_step_recorded_by_mistake(live_cast, live_server, phone):
    today = timezone.localdate()
    candidate = at_dossier(live_cast, name="Phạm Thị Cúc", general_education="upper_secondary")
    login(phone, live_server, "sec_a")
    phone.goto(f"{live_server.url}{candidate.get_absolute_url()}")
    vote_on_the_page(phone, today - days(10))
    expect(phone.locator("#timeline")).to_contain_text("Chi bộ biểu quyết: 3/3 phiếu tán thành")

    # The vote was recorded for the wrong person: undo it, after the confirmation page.
    phone.locator("#undo-latest").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Hoàn tác bước mới nhất")
    expect(phone.locator("#undo-warning")).to_contain_text("Chi bộ biểu quyết")
    expect(phone.locator("#undo-warning")).to_contain_text("Đang hoàn thiện hồ sơ")
    assert scroll_width(phone) <= PHONE["width"]
    screenshot(phone, "correction-undo-confirm-390")
    phone.locator('[name="reason"]').fill("Ghi nhầm hồ sơ")
    phone.get_by_role("button", name="Xác nhận hoàn tác").click()

    expect(phone.get_by_role("alert").filter(has_text="Đã hoàn tác “Chi bộ biểu quyết”")).to_be_visible()
    expect(phone.get_by_role("heading", level=1).locator("..")).to_contain_text("Đang hoàn thiện hồ sơ")
    timeline = phone.locator("#timeline")
    expect(timeline.locator('[data-kind="vote"]')).to_have_count(0)
    expect(timeline.locator('[data-kind="correction"]')).to_contain_text("Ghi nhầm hồ sơ")
    expect(phone.locator("#next-step")).to_contain_text("Chi bộ họp xét")
    assert scroll_width(phone) <= PHONE["width"]
    assert not CellVote.objects.exists()
    candidate.refresh_from_db()
    assert candidate.stage == Stage.DOSSIER
