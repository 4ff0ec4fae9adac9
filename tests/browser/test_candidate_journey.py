"""One candidate from proposal to full member, recorded through the pages on a phone.

The live server runs on the real clock, so every date is counted back from today and spaced so that
each rule is met: the decision well within 60 working days of the vote, the ceremony within 30 of
receiving it, twelve months of probation over before the recognition meeting, which is in the past.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.names import person_label
from members.vocabulary import MemberStatus
from recruitment import services
from recruitment.models import Candidate, CellVote, StageEntry
from recruitment.rules import add_months
from recruitment.vocabulary import Stage
from tests.factories import MemberFactory
from tests.recruitment.journey import walk

from .conftest import DESKTOP, PHONE, login, screenshot, scroll_width

# Not marked `calendar`: every date is counted back from today with room to spare, so it holds on any
# day (it passed on each day of `make test-dates`' set); the date set keeps to the pages whose figures
# follow this term or year (test_dashboard, test_import_flow).
pytestmark = pytest.mark.browser


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def iso(d: datetime.date) -> str:
    return d.isoformat()


def dmy(d: datetime.date) -> str:
    return d.strftime("%d/%m/%Y")


def journey_dates(today: datetime.date) -> dict[str, datetime.date]:
    ceremony = today - days(400)
    received = ceremony - days(5)
    decided = received - days(2)
    vote = decided - days(20)
    submitted = vote - days(10)
    class_starts = submitted - days(45)
    return {
        "proposed": class_starts - days(30),
        "class_starts": class_starts,
        "class_ends": class_starts + days(4),
        "certificate": class_starts + days(5),
        "application": submitted - days(6),
        "history": submitted - days(4),
        "introduced": submitted - days(2),
        "submitted": submitted,
        "vote": vote,
        "decided": decided,
        "received": received,
        "ceremony": ceremony,
        "recognition": add_months(ceremony, 12) + days(5),
    }


def field(page: Page, name: str):
    return page.locator(f'[name="{name}"]')


def fill(page: Page, values: dict) -> None:
    for name, value in values.items():
        field(page, name).fill(value)


def next_step(page: Page):
    return page.locator("#next-step")


def record(page: Page, title: str) -> None:
    """Submit the next-step form and wait for the page to come back with the success message."""
    box = next_step(page)
    expect(box.get_by_role("heading", level=2)).to_have_text(title)
    box.get_by_role("button", name="Ghi nhận").click()
    expect(page.get_by_role("alert").filter(has_text=f"Đã ghi nhận “{title}”")).to_be_visible()


def timeline(page: Page):
    return page.locator("#timeline")


def full_cell_a(cast) -> list:
    """Two more full members in cell A: three voters, and introducers of long standing."""
    return [MemberFactory(cell=cast.cell_a, status=MemberStatus.FULL) for _ in range(2)]


def test_a_candidate_goes_from_proposal_to_full_member_through_the_pages(live_cast, live_server, phone, page):
    today = timezone.localdate()
    d = journey_dates(today)
    introducer = full_cell_a(live_cast)[0]
    party_class = services.class_create(
        organiser=live_cast.commune_x,
        name="Lớp bồi dưỡng khóa 1",
        starts_on=d["class_starts"],
        ends_on=d["class_ends"],
        by=None,
    )

    # The cell secretary, on a phone, finds the empty board and proposes someone.
    login(phone, live_server, "sec_a")
    phone.get_by_role("link", name="Phát triển đảng viên").click()
    expect(phone.get_by_text("Chưa có quần chúng ưu tú nào đang được theo dõi.")).to_be_visible()
    assert scroll_width(phone) <= PHONE["width"]
    phone.get_by_role("link", name="Đề nghị quần chúng ưu tú").first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Đề nghị quần chúng ưu tú")
    fill(phone, {"full_name": "Nguyễn Thị Hạnh", "date_of_birth": "2000-03-15", "proposed_on": iso(d["proposed"])})
    field(phone, "gender").select_option("female")
    field(phone, "general_education").select_option("upper_secondary")
    field(phone, "is_youth_union_member").check()
    field(phone, "introduced_by").select_option("youth_union")
    helper = live_cast.member_a
    field(phone, "helper").select_option(
        label=person_label(helper.person.full_name, helper.person.date_of_birth, live_cast.cell_a.name)
    )
    assert scroll_width(phone) <= PHONE["width"]
    phone.get_by_role("button", name="Lưu và mở hồ sơ").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Nguyễn Thị Hạnh")
    expect(phone.get_by_role("alert").filter(has_text="Đã đưa “Nguyễn Thị Hạnh”")).to_be_visible()
    candidate = Candidate.objects.get(person__full_name="Nguyễn Thị Hạnh")
    expect(timeline(phone)).to_contain_text("Đưa vào diện quần chúng ưu tú")

    # Enrolment in the commune's class; the class's results are the class page's, so by the service.
    field(phone, "party_class").select_option(str(party_class.pk))
    record(phone, "Cử đi học lớp bồi dưỡng nhận thức về Đảng")
    expect(timeline(phone)).to_contain_text("Cử đi học lớp “Lớp bồi dưỡng khóa 1”")
    expect(next_step(phone)).to_contain_text("Đang học lớp “Lớp bồi dưỡng khóa 1”.")
    services.class_record_results(
        party_class=party_class,
        results=[services.ClassResult(candidate.pk, True, "CN-0042", d["certificate"])],
        by=None,
    )
    phone.reload()
    expect(timeline(phone)).to_contain_text(f"Giấy chứng nhận số CN-0042, cấp ngày {dmy(d['certificate'])}")

    # The dossier, with the Youth Union and one full member introducing.
    fill(
        phone,
        {
            "application_date": iso(d["application"]),
            "personal_history_date": iso(d["history"]),
            "body_introduction_date": iso(d["introduced"]),
            "known_since_1": "2015-01-01",
            "introduced_on_1": iso(d["introduced"]),
            "submitted_on": iso(d["submitted"]),
        },
    )
    field(phone, "route").select_option("youth_union")
    field(phone, "introducer_1").select_option(str(introducer.pk))
    assert scroll_width(phone) <= PHONE["width"]
    record(phone, "Nộp hồ sơ xin vào Đảng")
    expect(timeline(phone)).to_contain_text(f"{introducer.person.full_name} giới thiệu ngày {dmy(d['introduced'])}")

    # The cell's vote: the base is the roll (three full members), said beside the total left blank.
    expect(field(phone, "full_members")).to_have_value("")
    expect(phone.locator("#id_full_members_helptext")).to_contain_text("hiện nay có 3")
    fill(phone, {"held_on": iso(d["vote"]), "votes_for": "3"})
    record(phone, "Chi bộ họp xét, biểu quyết đề nghị kết nạp")
    expect(timeline(phone)).to_contain_text("Chi bộ biểu quyết: 3/3 phiếu tán thành")
    expect(next_step(phone)).to_contain_text("Bước này do cấp ủy cấp trên ghi nhận.")
    expect(next_step(phone).get_by_role("button", name="Ghi nhận")).to_have_count(0)

    # The commune board, on a desktop: cell A sits directly under the commune, so it decides directly.
    login(page, live_server, "commune_board")
    page.goto(f"{live_server.url}{candidate.get_absolute_url()}")
    fill(page, {"number": "15-QĐ/ĐU", "decided_on": iso(d["decided"]), "received_on": iso(d["received"])})
    record(page, "Quyết định kết nạp (mẫu 9-KNĐ)")
    expect(timeline(page)).to_contain_text("Quyết định kết nạp số 15-QĐ/ĐU")
    expect(timeline(page)).to_contain_text(live_cast.commune_x.name)

    # Back on the phone: the ceremony, then a year later the recognition.
    phone.reload()
    fill(phone, {"held_on": iso(d["ceremony"])})
    record(phone, "Lễ kết nạp")
    expect(phone.get_by_role("heading", level=1).locator("..")).to_contain_text("Đảng viên dự bị")
    fill(phone, {"meeting_on": iso(d["recognition"]), "decision_number": "7-QĐ/ĐU"})
    record(phone, "Công nhận đảng viên chính thức")

    expect(phone.get_by_role("heading", level=1).locator("..")).to_contain_text("Đảng viên chính thức")
    effective = add_months(d["ceremony"], 12)
    expect(timeline(phone)).to_contain_text(f"là đảng viên chính thức từ ngày {dmy(effective)}")
    events = timeline(phone).locator(".timeline-event")
    expect(events).to_have_count(8)
    kinds = [events.nth(i).get_attribute("data-kind") for i in range(8)]
    assert kinds == ["proposal", "class", "certificate", "dossier", "vote", "decision", "ceremony", "recognition"]
    assert scroll_width(phone) <= PHONE["width"]
    screenshot(phone, "candidate-full-390")
    stages = list(StageEntry.objects.filter(candidate=candidate).values_list("stage", flat=True))
    assert stages == ["source", "training", "trained", "dossier", "cell_resolution", "decided", "probationary", "full"]

    # Off the board now, counted among those admitted.
    phone.goto(f"{live_server.url}/to-chuc/{live_cast.cell_a.pk}/phat-trien-dang/")
    expect(phone.locator("#board-summary")).to_contain_text("đã kết nạp chính thức: 1")
    expect(phone.get_by_role("link", name="Nguyễn Thị Hạnh")).to_have_count(0)


def test_a_vote_short_of_two_thirds_is_refused_on_the_page_and_saves_nothing(live_cast, live_server, phone):
    today = timezone.localdate()
    introducers = full_cell_a(live_cast)
    candidate = services.candidate_propose(
        cell=live_cast.cell_a,
        introduced_by="youth_union",
        proposed_on=today - days(150),
        person_fields={
            "full_name": "Trần Văn Khải",
            "gender": "male",
            "date_of_birth": datetime.date(1999, 6, 1),
            "general_education": "upper_secondary",
            "is_youth_union_member": True,
        },
        by=None,
    )
    walk(candidate, to=Stage.DOSSIER, introducers=introducers, by=None, start=today - days(100))

    login(phone, live_server, "sec_a")
    phone.goto(f"{live_server.url}{candidate.get_absolute_url()}")
    fill(phone, {"held_on": iso(today - days(10)), "votes_for": "1"})
    next_step(phone).get_by_role("button", name="Ghi nhận").click()

    expect(phone).to_have_url(re.compile(r"/buoc/cell-vote/$"))
    expect(phone.get_by_role("alert").first).to_contain_text("Chưa ghi nhận được")
    votes = phone.locator("#id_votes_for")
    expect(votes).to_have_class(re.compile(r"is-invalid"))
    expect(phone.locator("#error_1_id_votes_for, .invalid-feedback").first).to_contain_text("2/3")
    expect(votes).to_have_value("1")
    assert scroll_width(phone) <= PHONE["width"]
    screenshot(phone, "vote-refused-390")
    assert not CellVote.objects.exists()
    candidate.refresh_from_db()
    assert candidate.stage == Stage.DOSSIER


def test_the_board_and_the_candidate_page_at_phone_and_desktop_widths(live_cast, live_server, phone, page):
    """Screenshots of a busy board for the eye, and no sideways scrolling on the phone."""
    today = timezone.localdate()
    introducers = full_cell_a(live_cast)
    people = []
    for i, to in enumerate(
        [Stage.SOURCE, Stage.SOURCE, Stage.TRAINING, Stage.TRAINED, Stage.DOSSIER, Stage.CELL_RESOLUTION]
    ):
        candidate = services.candidate_propose(
            cell=live_cast.cell_a if i % 2 == 0 else live_cast.cell_b,
            introduced_by="youth_union",
            proposed_on=today - days(200 - i * 10),
            person_fields={
                "full_name": f"Người thứ {i + 1} Phạm Thị Thanh Hương",
                "gender": "female",
                "date_of_birth": datetime.date(1998, 1, 1),
                "general_education": "upper_secondary",
                "is_youth_union_member": True,
                "citizen_id": f"0011980001{i:02d}",
            },
            by=None,
        )
        if i % 2 == 1:
            MemberFactory(cell=live_cast.cell_b, status=MemberStatus.FULL)
        helpers = introducers if i % 2 == 0 else list(live_cast.cell_b.members.all())
        if to != Stage.SOURCE:
            walk(candidate, to=to, introducers=helpers, by=None, start=today - days(150))
        people.append(candidate)
    services.committee_return_dossier(
        candidate=people[5], on=today, reason="Thiếu bản tự kiểm điểm của người vào Đảng", by=None
    )
    warning = "Đơn xin vào Đảng và lý lịch cùng đề ngày; kiểm tra thứ tự viết (Quy tắc 4)"
    Candidate.objects.filter(pk=people[4].pk).update(
        open_findings=[{"code": "R04_SAME_DAY", "severity": "warns", "message": warning}]
    )

    for viewer, width, org in ((phone, PHONE, live_cast.commune_x), (page, DESKTOP, live_cast.commune_x)):
        login(viewer, live_server, "commune_board")
        viewer.goto(f"{live_server.url}/to-chuc/{org.pk}/phat-trien-dang/")
        expect(viewer.locator("#stage-source h2")).to_contain_text("2")
        expect(viewer.get_by_text("Hồ sơ cấp ủy trả lại, cần bổ sung")).to_be_visible()
        expect(viewer.locator("#stage-dossier")).to_contain_text("1 cảnh báo: Đơn xin vào Đảng")
        if width is PHONE:
            assert scroll_width(viewer) <= PHONE["width"]
        screenshot(viewer, f"board-{width['width']}")
        viewer.goto(f"{live_server.url}{people[4].get_absolute_url()}")
        expect(viewer.get_by_role("heading", level=1)).to_contain_text("Người thứ 5")
        expect(viewer.locator("#open-findings")).to_contain_text(warning)
        if width is PHONE:
            assert scroll_width(viewer) <= PHONE["width"]
        screenshot(viewer, f"candidate-{width['width']}")
