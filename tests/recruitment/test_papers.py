"""The official papers of the recorded steps (PDF and DOCX) and the scans of the signed ones.

Each paper is rendered through its view and read back: the PDF from WeasyPrint's laid-out pages (the
text boxes `write_pdf` draws; the PDF's own text is in subset fonts), the DOCX by python-docx.
"""

import datetime
import io
import re

import docx
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from weasyprint import HTML

from recruitment.models import StepAttachment
from recruitment.papers import content, render, selectors
from recruitment.papers.catalogue import PAPERS
from recruitment.vocabulary import Stage
from tests.cast import add_recruitment

from .journey import walk
from .test_candidate_pages import propose

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    """Scans go to a temporary directory, never to the project's var/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


@pytest.fixture
def admitted(cast, pipeline):
    """A candidate recognised as a full member, with every step on file."""
    return walk(propose(cast), to=Stage.FULL, introducers=pipeline["introducers"], by=cast.sec_a)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(document) -> str:
    """The text of every box WeasyPrint laid out on the pages, in order."""
    found = []

    def visit(box):
        if getattr(box, "text", None):
            found.append(box.text)
        for child in getattr(box, "children", ()):
            visit(child)

    for page in document.pages:
        visit(page._page_box)
    return _squash(" ".join(found))


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    found = [p.text for p in document.paragraphs]

    def cells(table):
        for row in table.rows:
            for cell in row.cells:
                found.extend(p.text for p in cell.paragraphs)
                for inner in cell.tables:
                    cells(inner)

    for table in document.tables:
        cells(table)
    return _squash(" ".join(found))


def dmy(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def date_line(place: str, day: datetime.date) -> str:
    """The rules for Party documents: a leading zero on days below 10 and on January and February."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def expected_texts(slug: str, candidate) -> list[str]:
    """What each paper must say, read from the records (not from the paper's own builder)."""
    person, cell = candidate.person, candidate.cell
    decision, ceremony, recognition = candidate.decision, candidate.ceremony, candidate.recognition
    vote = candidate.cell_votes.get()
    dossier = candidate.dossier
    introducer = dossier.introducers.get()
    common = [person.full_name, "ĐẢNG CỘNG SẢN VIỆT NAM"]
    return (
        common
        + {
            "nghi-quyet-de-nghi-ket-nap": [
                "Mẫu 6-KNĐ",
                "NGHỊ QUYẾT",
                cell.name.upper(),
                date_line("Xuân", vote.held_on),
                dmy(vote.held_on),
                dmy(person.date_of_birth),
                f"tán thành việc kết nạp: {vote.votes_for} đồng chí",
                f"Tổng số đảng viên chính thức của chi bộ: {vote.full_members} đồng chí",
                introducer.member.person.full_name,
            ],
            "danh-sach-nguoi-gioi-thieu": [
                "DANH SÁCH NGƯỜI GIỚI THIỆU VÀO ĐẢNG",
                introducer.member.person.full_name,
                dmy(introducer.known_since),
                dmy(introducer.introduced_on),
                dmy(dossier.body_introduction_date),
                "mẫu 4-KNĐ",
            ],
            "quyet-dinh-ket-nap": [
                "Mẫu 9-KNĐ",
                date_line("Xuân", decision.decided_on),
                "QUYẾT ĐỊNH",
                f"Số {decision.number}",
                decision.issuing_committee.name.replace("Đảng bộ", "Đảng ủy").upper(),
                dmy(person.date_of_birth),
                dmy(vote.held_on),
                "Thời gian dự bị 12 tháng",
            ],
            "nghi-quyet-cong-nhan": [
                "Mẫu 13-KNĐ",
                date_line("Xuân", recognition.meeting_on),
                dmy(recognition.meeting_on),
                dmy(ceremony.held_on),
                dmy(recognition.effective_on),
                decision.number,
                dmy(decision.decided_on),
            ],
            "quyet-dinh-cong-nhan": [
                "Mẫu 16-KNĐ",
                f"Số {recognition.decision_number}-QĐ/ĐU",
                "ngày …… tháng …… năm ……",  # the decision's date is not on file: written by hand
                dmy(recognition.effective_on),
                dmy(recognition.meeting_on),
                decision.number,
            ],
        }[slug]
    )


@pytest.mark.parametrize("slug", list(PAPERS))
def test_each_paper_renders_as_pdf_and_docx_with_the_candidates_data(client, cast, admitted, slug, monkeypatch):
    drawn_html = []
    original = render.html

    def recording(paper):
        drawn_html.append(original(paper))
        return drawn_html[-1]

    monkeypatch.setattr(render, "html", recording)
    client.force_login(cast.sec_a)
    admitted.refresh_from_db()
    expected = expected_texts(slug, admitted)

    response = client.get(reverse("recruitment:paper_pdf", args=[admitted.pk, slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{PAPERS[slug].stem}-{admitted.pk}.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")
    assert response.content.rstrip().endswith(b"%%EOF")
    # The pages of the very HTML the response's PDF was drawn from.
    (drawn,) = drawn_html
    text = pdf_text(HTML(string=drawn).render())
    for needle in expected:
        assert needle in text, (slug, "pdf", needle, text)

    response = client.get(reverse("recruitment:paper_docx", args=[admitted.pk, slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == render.DOCX
    assert "no-store" in response["Cache-Control"]
    text = docx_text(response.content)
    for needle in expected:
        assert needle in text, (slug, "docx", needle, text)


def test_the_readers_can_fail(cast, admitted):
    """The read-back finds what is on the paper and nothing else: another name is not found."""
    paper = content.paper("quyet-dinh-ket-nap", selectors.records_for(admitted))
    assert "Người Không Có" not in pdf_text(render.pdf_document(paper))
    assert "Người Không Có" not in docx_text(render.docx(paper))
    assert admitted.person.full_name in docx_text(render.docx(paper))


def test_the_date_line_and_dates_follow_the_rules_for_party_documents():
    assert content.date_line("Xuân", datetime.date(2024, 2, 5)) == "Xuân, ngày 05 tháng 02 năm 2024"
    assert content.date_line("Xuân", datetime.date(2024, 11, 25)) == "Xuân, ngày 25 tháng 11 năm 2024"
    assert content.date_line("Xuân", None) == "Xuân, ngày …… tháng …… năm ……"
    assert content.dmy(datetime.date(2024, 3, 7)) == "07/03/2024"


def test_the_candidate_page_offers_the_papers_of_the_recorded_steps_only(client, cast, pipeline):
    at_dossier = walk(propose(cast), to=Stage.DOSSIER, introducers=pipeline["introducers"], by=cast.sec_a)
    client.force_login(cast.sec_a)
    page = client.get(at_dossier.get_absolute_url()).content.decode()
    assert reverse("recruitment:paper_pdf", args=[at_dossier.pk, "danh-sach-nguoi-gioi-thieu"]) in page
    assert reverse("recruitment:paper_pdf", args=[at_dossier.pk, "quyet-dinh-ket-nap"]) not in page
    # A paper whose step is not recorded is not drawn: back to the candidate's page with a message.
    response = client.get(reverse("recruitment:paper_pdf", args=[at_dossier.pk, "quyet-dinh-ket-nap"]))
    assert response.status_code == 302
    assert response.url == at_dossier.get_absolute_url()
    assert client.get(reverse("recruitment:paper_docx", args=[at_dossier.pk, "khong-co"])).status_code == 404


def test_the_full_members_page_offers_all_five_papers(client, cast, admitted):
    client.force_login(cast.commune_board)
    page = client.get(admitted.get_absolute_url()).content.decode()
    for slug in PAPERS:
        assert reverse("recruitment:paper_pdf", args=[admitted.pk, slug]) in page
        assert reverse("recruitment:paper_docx", args=[admitted.pk, slug]) in page


# --- the scans -----------------------------------------------------------------------------------


def upload(client, user, candidate, name: str, data: bytes, step="decision"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(user)
    return client.post(
        reverse("recruitment:attachment_upload", args=[candidate.pk]),
        {"step": step, "file": SimpleUploadedFile(name, data, content_type="application/octet-stream")},
    )


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("quyet-dinh.pdf", PDF_BYTES, "application/pdf"),
        ("Quyết định.PNG", PNG_BYTES, "image/png"),
        ("scan", JPEG_BYTES, "image/jpeg"),
    ],
)
def test_a_pdf_or_image_scan_is_stored_and_served_to_those_who_see_the_candidate(
    client, cast, admitted, storage, name, data, content_type
):
    response = upload(client, cast.sec_a, admitted, name, data)
    assert response.status_code == 302
    attachment = StepAttachment.objects.get()
    assert (attachment.original_name, attachment.content_type, attachment.size) == (name, content_type, len(data))
    assert (attachment.step, attachment.uploaded_by) == ("decision", cast.sec_a)
    assert attachment.file.name.startswith(f"papers/{admitted.pk}/")
    assert default_storage.exists(attachment.file.name)
    assert (storage / attachment.file.name).read_bytes() == data
    page = client.get(admitted.get_absolute_url()).content.decode()
    url = reverse("recruitment:attachment_download", args=[admitted.pk, attachment.pk])
    assert url in page
    for user in (cast.sec_a, cast.commune_board, cast.province_board):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == data
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"].startswith("attachment;")
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("gia-mao.pdf", b"MZ\x90\x00 not a pdf at all"),
        ("bang-tinh.xlsx", b"PK\x03\x04" + b"\x00" * 40),
        ("anh.jpg", b"GIF89a" + b"\x00" * 40),
        ("trang.html", b"<html><script>alert(1)</script>"),
    ],
)
def test_a_file_that_is_not_a_pdf_or_an_image_is_refused_by_its_content(client, cast, admitted, name, data):
    response = upload(client, cast.sec_a, admitted, name, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Tệp “{name}” không phải PDF hoặc ảnh" in page
    assert not StepAttachment.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, cast, admitted, settings):
    settings.PARTYHUB_ATTACHMENT_MAX_BYTES = 1024 * 1024
    response = upload(client, cast.sec_a, admitted, "qua-lon.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024))
    assert response.status_code == 200
    assert "Tệp “qua-lon.pdf” nặng 1,0 MB, vượt quá giới hạn 1,0 MB" in response.content.decode()
    assert not StepAttachment.objects.exists()
    # At the limit it is accepted.
    assert upload(client, cast.sec_a, admitted, "vua.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 - 9)).status_code == 302


def test_a_scan_goes_only_to_a_recorded_step(client, cast, pipeline):
    at_dossier = walk(propose(cast), to=Stage.DOSSIER, introducers=pipeline["introducers"], by=cast.sec_a)
    response = upload(client, cast.sec_a, at_dossier, "qd.pdf", PDF_BYTES, step="decision")
    assert response.status_code == 200
    assert not StepAttachment.objects.exists()
    assert upload(client, cast.sec_a, at_dossier, "don.pdf", PDF_BYTES, step="dossier").status_code == 302


def test_papers_and_scans_answer_404_outside_the_subtree(client, cast, admitted):
    upload(client, cast.sec_a, admitted, "qd.pdf", PDF_BYTES)
    attachment = StepAttachment.objects.get()
    other = add_recruitment(cast).candidate_b
    urls = [
        reverse("recruitment:paper_pdf", args=[admitted.pk, "quyet-dinh-ket-nap"]),
        reverse("recruitment:paper_docx", args=[admitted.pk, "quyet-dinh-ket-nap"]),
        reverse("recruitment:attachment_upload", args=[admitted.pk]),
        reverse("recruitment:attachment_download", args=[admitted.pk, attachment.pk]),
    ]
    for user in (cast.sec_b, cast.outsider):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert upload(client, user, admitted, "x.pdf", PDF_BYTES).status_code == 404
    # Inside the subtree, but the scan belongs to another candidate: not found under this one.
    client.force_login(cast.commune_board)
    assert client.get(reverse("recruitment:attachment_download", args=[other.pk, attachment.pk])).status_code == 404
    assert StepAttachment.objects.count() == 1


def test_a_cells_papers_are_dated_at_its_commune_and_signed_by_the_committee(cast, pipeline):
    """A cell under a grassroots committee: the date line names the commune, the header the committee."""
    candidate = propose(cast, cell=pipeline["cell_g"], citizen_id="001198000999")
    records = selectors.records_for(candidate)
    assert content.cell_place(records) == "Xuân"
    assert content.body_name(pipeline["committee"]) == "Đảng ủy Trường THPT Xuân"
    assert content.body_name(pipeline["cell_g"]) == "Chi bộ Giáo viên"
    assert records.superior == pipeline["committee"]
    assert records.deciding_committee == cast.commune_x
    assert records.available_papers() == []
