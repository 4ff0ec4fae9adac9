"""The papers section of a candidate's page and the upload of a signed scan, on a phone (390 px).

The live server runs on the real clock: the steps are dated back from today (walk's spacing keeps
every rule met), so this holds on any day.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.vocabulary import MemberStatus
from recruitment import services
from recruitment.models import StepAttachment
from recruitment.vocabulary import Stage
from tests.factories import MemberFactory
from tests.recruitment.journey import walk

from .conftest import PHONE, login, screenshot, scroll_width

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


@pytest.fixture
def decided(live_cast, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    today = timezone.localdate()
    introducers = [MemberFactory(cell=live_cast.cell_a, status=MemberStatus.FULL) for _ in range(2)]
    candidate = services.candidate_propose(
        cell=live_cast.cell_a,
        introduced_by="youth_union",
        proposed_on=today - datetime.timedelta(days=420),
        person_fields={
            "full_name": "Lò Thị Phương",
            "gender": "female",
            "date_of_birth": datetime.date(1999, 6, 2),
            "general_education": "upper_secondary",
            "is_youth_union_member": True,
        },
        by=live_cast.sec_a,
    )
    start = today - datetime.timedelta(days=400)
    return walk(candidate, to=Stage.DECIDED, introducers=introducers, by=live_cast.sec_a, start=start)


def test_the_papers_and_a_scan_on_a_phone(live_cast, live_server, phone, decided):
    login(phone, live_server, "sec_a")
    phone.goto(f"{live_server.url}{decided.get_absolute_url()}")
    papers = phone.locator("#papers")
    expect(papers).to_be_visible()
    expect(papers.locator("[data-paper]")).to_have_count(3)  # the cell's resolution, the introducers, the decision
    expect(papers.locator('[data-paper="quyet-dinh-cong-nhan"]')).to_have_count(0)
    assert scroll_width(phone) <= PHONE["width"]

    with phone.expect_download() as download:
        papers.locator('[data-paper="quyet-dinh-ket-nap"]').get_by_role("link", name="In (PDF)").click()
    assert download.value.suggested_filename == f"quyet-dinh-ket-nap-{decided.pk}.pdf"

    papers.get_by_role("link", name="Đính kèm bản quét").click()
    assert scroll_width(phone) <= PHONE["width"]
    phone.get_by_label("Giấy tờ của bước").select_option("decision")
    phone.get_by_label("Bản quét (PDF, PNG hoặc JPEG)").set_input_files(
        {"name": "quyết định đã ký.png", "mimeType": "image/png", "buffer": PNG}
    )
    phone.get_by_role("button", name="Tải lên").click()
    expect(phone.locator("#papers [data-attachment]")).to_have_count(1)
    expect(phone.locator("#papers")).to_contain_text("quyết định đã ký.png")
    assert scroll_width(phone) <= PHONE["width"]
    screenshot(phone, "candidate-papers-390")
    assert StepAttachment.objects.get().size == len(PNG)

    # A file that is not a PDF or an image, whatever its name, is refused with the rule.
    phone.goto(f"{live_server.url}/quan-chung/{decided.pk}/ban-quet/them/")
    phone.get_by_label("Bản quét (PDF, PNG hoặc JPEG)").set_input_files(
        {"name": "gia.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf"}
    )
    phone.get_by_role("button", name="Tải lên").click()
    expect(phone.get_by_text("Tệp “gia.pdf” không phải PDF hoặc ảnh", exact=False)).to_be_visible()
    assert scroll_width(phone) <= PHONE["width"]
    assert StepAttachment.objects.count() == 1
