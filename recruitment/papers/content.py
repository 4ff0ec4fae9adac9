"""What each paper says, built from the recorded steps as pure functions of `selectors.Records`.

A `Paper` is the layout every official Party document shares (Hướng dẫn 36-HD/VPTW on the Party's
document format): the superior's and the issuing body's names on the left with the number and
symbol, "ĐẢNG CỘNG SẢN VIỆT NAM" on the right with the place and date line, the title, the body and
the signature block. The PDF template and the DOCX writer both draw the same `Paper`, so the two
files say the same thing.

The papers' text is the official Vietnamese wording of the forms and is not translated: a paper is
filed with the Party's records in Vietnamese whatever language the screen is in. Names are written
as recorded (family name first, the Vietnamese order); dates dd/mm/yyyy; a date not on file is left
as dots for the secretary to write in by hand.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from members.models import Organisation
from members.vocabulary import Level
from recruitment.rules import IntroductionRoute, probation_end

from .catalogue import PAPERS, PaperKind
from .selectors import Records

BLANK_DATE = "…/…/……"
# Leading words of a unit's name that are not the place ("Đảng bộ xã Minh Sơn" -> "Minh Sơn").
_PREFIXES = re.compile(
    r"^(đảng bộ|chi bộ|đảng ủy|đảng uỷ)\s+(cơ sở\s+)?"
    r"(tỉnh|thành phố|huyện|thị xã|quận|xã|phường|đặc khu|thị trấn|thôn|bản|ấp|khu phố|tổ dân phố|khối)?\s*",
    re.IGNORECASE,
)
_COMMITTEE_LEVELS = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE, Level.GRASSROOTS_COMMITTEE, Level.SUB_COMMITTEE)


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Paper:
    kind: PaperKind
    superior: str  # the organisation above the issuing body, upper case ("" at the top)
    issuer: str  # the issuing body, upper case
    number: str  # "Số 12-QĐ/ĐU", or the symbol with room for a handwritten number
    date_line: str  # "Xuân, ngày 05 tháng 3 năm 2024"
    title: str
    subtitle: str
    on_behalf: str  # "T/M CHI BỘ"
    signer: str  # "BÍ THƯ"
    preamble: tuple[str, ...] = ()  # the "Căn cứ …" lines
    decides: str = ""  # "BAN THƯỜNG VỤ ĐẢNG ỦY QUYẾT ĐỊNH:"
    body: tuple[str, ...] = ()
    table: Table | None = None
    after: tuple[str, ...] = ()  # paragraphs after the table
    recipients: tuple[str, ...] = field(default=())

    @property
    def form_label(self) -> str:
        return f"Mẫu {self.kind.form}" if self.kind.form else ""

    def texts(self) -> list[str]:
        """Every line of text on the paper, in order (what a reader of the printed page sees)."""
        lines = [self.form_label, self.superior, self.issuer, self.number, "ĐẢNG CỘNG SẢN VIỆT NAM", self.date_line]
        lines += [self.title, self.subtitle, *self.preamble, self.decides, *self.body]
        if self.table:
            lines += list(self.table.headers) + [cell for row in self.table.rows for cell in row]
        lines += [*self.after, *self.recipients, self.on_behalf, self.signer]
        return [line for line in lines if line]


# --- words and dates ---------------------------------------------------------------------------


def dmy(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else BLANK_DATE


def date_line(place: str, day: datetime.date | None) -> str:
    """Days below 10 and months below 3 take a leading zero, as the rules for Party documents say."""
    if day is None:
        return f"{place}, ngày …… tháng …… năm ……"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def long_date(day: datetime.date | None) -> str:
    """ "ngày 05 tháng 3 năm 2024" inside a sentence."""
    return date_line("", day)[2:]


def place_name(organisation: Organisation) -> str:
    return _PREFIXES.sub("", organisation.name).strip() or organisation.name


def cell_place(records: Records) -> str:
    """A cell's papers are dated at the commune (or the district, province) it lies in, not at the cell."""
    for org in reversed(records.ancestors):
        if org.level in (Level.COMMUNE, Level.DISTRICT, Level.PROVINCE):
            return place_name(org)
    return place_name(records.candidate.cell)


def body_name(organisation: Organisation | None) -> str:
    """The body that signs: "Đảng ủy xã Xuân" for a Party committee, the cell's own name for a cell."""
    if organisation is None:
        return ""
    name = organisation.name
    if organisation.level in _COMMITTEE_LEVELS and name.lower().startswith("đảng bộ"):
        return "Đảng ủy" + name[len("Đảng bộ") :]
    return name


def _symbol(number: str, symbol: str) -> str:
    """ "Số 12-QĐ/ĐU": a recorded number as written when it has its symbol, else with the form's symbol;
    no number leaves room to write it by hand."""
    number = (number or "").strip()
    if not number:
        return f"Số\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0-{symbol}"
    return f"Số {number}" if "/" in number else f"Số {number}-{symbol}"


def _percent(part: int, whole: int) -> str:
    if whole <= 0:
        return "…"
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}".replace(".", ",")


def _person_line(records: Records) -> str:
    person = records.candidate.person
    parts = [f"sinh ngày {dmy(person.date_of_birth)}", f"giới tính: {person.get_gender_display().lower()}"]
    if person.general_education:
        parts.append(f"trình độ giáo dục phổ thông: {person.get_general_education_display()}")
    if person.professional_training:
        parts.append(f"chuyên môn, nghiệp vụ: {person.get_professional_training_display()}")
    if person.occupation:
        parts.append(f"nghề nghiệp: {person.get_occupation_display()}")
    return ", ".join(parts)


def _cell_header(records: Records) -> dict:
    cell = records.candidate.cell
    superior = records.superior
    return {
        "superior": superior.name.upper() if superior else "",
        "issuer": cell.name.upper(),
        "on_behalf": "T/M CHI BỘ",
        "signer": "BÍ THƯ",
    }


def _committee_header(committee: Organisation | None, ancestors: list[Organisation]) -> dict:
    superior = None
    if committee is not None:
        above = [a for a in ancestors if committee.path.startswith(a.path) and a.pk != committee.pk]
        superior = above[-1] if above else None
    return {
        "superior": superior.name.upper() if superior else "",
        "issuer": body_name(committee).upper(),
        "on_behalf": "T/M BAN THƯỜNG VỤ",
        "signer": "BÍ THƯ",
    }


def _decision_reference(records: Records) -> str:
    decision = records.decision
    if decision is None:
        return "theo Quyết định số …… ngày …/…/……"
    issuer = body_name(decision.issuing_committee)
    return f"theo Quyết định số {decision.number} ngày {dmy(decision.decided_on)} của {issuer}"


# --- the papers ----------------------------------------------------------------------------------


def cell_resolution(records: Records) -> Paper:
    """Mẫu 6-KNĐ: the cell's resolution proposing the admission."""
    vote, candidate = records.vote, records.candidate
    name, cell = candidate.person.full_name, candidate.cell
    base = vote.full_members - vote.absent_exempt
    decider = body_name(records.deciding_committee) or "cấp ủy cấp trên"
    introducers = ", ".join(i.member.person.full_name for i in records.introducers)
    body = [
        f"Ngày {dmy(vote.held_on)}, {cell.name} đã họp xét đề nghị kết nạp quần chúng {name} "
        "vào Đảng Cộng sản Việt Nam.",
        f"Quần chúng {name}, {_person_line(records)}.",
    ]
    if introducers:
        body.append(f"Đảng viên giới thiệu: {introducers}.")
    body += [
        f"Tổng số đảng viên chính thức của chi bộ: {vote.full_members} đồng chí; vắng mặt do đi công tác, được miễn "
        f"sinh hoạt: {vote.absent_exempt} đồng chí; số đảng viên chính thức tán thành việc kết nạp: {vote.votes_for} "
        f"đồng chí, đạt {_percent(vote.votes_for, base)}% so với tổng số đảng viên chính thức tính biểu quyết "
        f"({base}).",
        f"Chi bộ đề nghị {decider} xem xét, quyết định kết nạp quần chúng {name} vào Đảng Cộng sản Việt Nam.",
    ]
    return Paper(
        kind=PAPERS["nghi-quyet-de-nghi-ket-nap"],
        number=_symbol("", "NQ/CB"),
        date_line=date_line(cell_place(records), vote.held_on),
        title="NGHỊ QUYẾT",
        subtitle="Đề nghị kết nạp đảng viên",
        body=tuple(body),
        recipients=(f"- {decider} (để báo cáo),", "- Lưu chi bộ."),
        **_cell_header(records),
    )


def introducers_list(records: Records) -> Paper:
    """The list of the candidate's introducers (no official number: the introductions are 3-KNĐ, 4-KNĐ, 4A-KNĐ)."""
    dossier, candidate = records.dossier, records.candidate
    name = candidate.person.full_name
    rows = []
    for index, introducer in enumerate(records.introducers, start=1):
        member = introducer.member
        rows.append(
            (
                str(index),
                member.person.full_name,
                member.cell.name,
                dmy(member.admission_decision_date) if member.admission_decision_date else "",
                dmy(introducer.known_since),
                dmy(introducer.introduced_on),
                "Giới thiệu thay" if introducer.is_replacement else "",
            )
        )
    after = []
    if dossier.route in (IntroductionRoute.YOUTH_UNION, IntroductionRoute.TRADE_UNION):
        form = "4-KNĐ" if dossier.route == IntroductionRoute.YOUTH_UNION else "4A-KNĐ"
        body_label = "Đoàn TNCS Hồ Chí Minh" if dossier.route == IntroductionRoute.YOUTH_UNION else "Công đoàn cơ sở"
        after.append(
            f"Tổ chức giới thiệu: {body_label}, nghị quyết giới thiệu (mẫu {form}) ngày "
            f"{dmy(dossier.body_introduction_date)}."
        )
    after.append(f"Hình thức giới thiệu: {IntroductionRoute(dossier.route).label}.")
    return Paper(
        kind=PAPERS["danh-sach-nguoi-gioi-thieu"],
        number=_symbol("", "DS/CB"),
        date_line=date_line(cell_place(records), dossier.submitted_on),
        title="DANH SÁCH NGƯỜI GIỚI THIỆU VÀO ĐẢNG",
        subtitle=f"Quần chúng {name}, sinh ngày {dmy(candidate.person.date_of_birth)}",
        table=Table(
            headers=(
                "STT",
                "Họ và tên đảng viên giới thiệu",
                "Chi bộ",
                "Ngày vào Đảng",
                "Cùng công tác, sinh sống từ",
                "Ngày viết giấy giới thiệu (mẫu 3-KNĐ)",
                "Ghi chú",
            ),
            rows=tuple(rows),
        ),
        after=tuple(after),
        recipients=("- Hồ sơ xin vào Đảng,", "- Lưu chi bộ."),
        **_cell_header(records),
    )


def admission_decision(records: Records) -> Paper:
    """Mẫu 9-KNĐ: the committee's decision to admit."""
    decision, candidate = records.decision, records.candidate
    name, cell = candidate.person.full_name, candidate.cell
    committee = decision.issuing_committee
    preamble = ["- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;", "- Căn cứ Quy định, Hướng dẫn thi hành Điều lệ Đảng;"]
    if records.vote is not None:
        preamble.append(f"- Xét Nghị quyết đề nghị kết nạp đảng viên của {cell.name} ngày {dmy(records.vote.held_on)},")
    return Paper(
        kind=PAPERS["quyet-dinh-ket-nap"],
        number=_symbol(decision.number, "QĐ/ĐU"),
        date_line=date_line(place_name(committee), decision.decided_on),
        title="QUYẾT ĐỊNH",
        subtitle="Kết nạp đảng viên",
        preamble=tuple(preamble),
        decides=f"BAN THƯỜNG VỤ {body_name(committee).upper()} QUYẾT ĐỊNH:",
        body=(
            f"Điều 1. Kết nạp quần chúng {name}, {_person_line(records)}, sinh hoạt tại {cell.name}, vào Đảng "
            "Cộng sản Việt Nam. Thời gian dự bị 12 tháng, kể từ ngày chi bộ tổ chức lễ kết nạp.",
            f"Điều 2. {cell.name} tổ chức lễ kết nạp trong thời hạn 30 ngày làm việc kể từ ngày nhận được quyết "
            "định; tiếp tục giáo dục, rèn luyện, giúp đỡ đảng viên dự bị.",
            f"Điều 3. Các cơ quan có liên quan, {cell.name} và đồng chí {name} thi hành Quyết định này.",
        ),
        recipients=("- Như Điều 3,", "- Lưu hồ sơ đảng viên."),
        **_committee_header(committee, records.ancestors),
    )


def recognition_resolution(records: Records) -> Paper:
    """Mẫu 13-KNĐ: the cell's resolution proposing recognition as a full member."""
    recognition, candidate = records.recognition, records.candidate
    name, cell = candidate.person.full_name, candidate.cell
    decider = body_name(records.deciding_committee) or "cấp ủy cấp trên"
    ceremony = records.ceremony.held_on if records.ceremony else None
    probation_ends = probation_end(ceremony) if ceremony else recognition.effective_on
    return Paper(
        kind=PAPERS["nghi-quyet-cong-nhan"],
        number=_symbol("", "NQ/CB"),
        date_line=date_line(cell_place(records), recognition.meeting_on),
        title="NGHỊ QUYẾT",
        subtitle="Đề nghị công nhận đảng viên chính thức",
        body=(
            f"Ngày {dmy(recognition.meeting_on)}, {cell.name} đã họp xét đề nghị công nhận đảng viên chính thức "
            f"cho đồng chí {name}, sinh ngày {dmy(candidate.person.date_of_birth)}.",
            f"Đồng chí {name} được kết nạp vào Đảng {_decision_reference(records)}; lễ kết nạp ngày {dmy(ceremony)}; "
            f"hết thời gian dự bị ngày {dmy(probation_ends)}.",
            f"Chi bộ đề nghị {decider} xem xét, quyết định công nhận đồng chí {name} là đảng viên chính thức kể từ "
            f"ngày {dmy(recognition.effective_on)}.",
        ),
        recipients=(f"- {decider} (để báo cáo),", "- Lưu chi bộ."),
        **_cell_header(records),
    )


def recognition_decision(records: Records) -> Paper:
    """Mẫu 16-KNĐ: the committee's decision recognising a full member. Its date is not on file."""
    recognition, candidate = records.recognition, records.candidate
    name, cell = candidate.person.full_name, candidate.cell
    committee = records.deciding_committee
    return Paper(
        kind=PAPERS["quyet-dinh-cong-nhan"],
        number=_symbol(recognition.decision_number, "QĐ/ĐU"),
        date_line=date_line(place_name(committee) if committee else cell_place(records), None),
        title="QUYẾT ĐỊNH",
        subtitle="Công nhận đảng viên chính thức",
        preamble=(
            "- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;",
            "- Căn cứ Quy định, Hướng dẫn thi hành Điều lệ Đảng;",
            f"- Xét Nghị quyết đề nghị công nhận đảng viên chính thức của {cell.name} ngày "
            f"{dmy(recognition.meeting_on)},",
        ),
        decides=f"BAN THƯỜNG VỤ {body_name(committee).upper() or 'CẤP ỦY'} QUYẾT ĐỊNH:",
        body=(
            f"Điều 1. Công nhận đồng chí {name}, sinh ngày {dmy(candidate.person.date_of_birth)}, được kết nạp vào "
            f"Đảng {_decision_reference(records)}, là đảng viên chính thức kể từ ngày {dmy(recognition.effective_on)}.",
            f"Điều 2. Các cơ quan có liên quan, {cell.name} và đồng chí {name} thi hành Quyết định này.",
        ),
        recipients=("- Như Điều 2,", "- Lưu hồ sơ đảng viên."),
        **_committee_header(committee, records.ancestors),
    )


BUILDERS = {
    "nghi-quyet-de-nghi-ket-nap": cell_resolution,
    "danh-sach-nguoi-gioi-thieu": introducers_list,
    "quyet-dinh-ket-nap": admission_decision,
    "nghi-quyet-cong-nhan": recognition_resolution,
    "quyet-dinh-cong-nhan": recognition_decision,
}


def paper(slug: str, records: Records) -> Paper | None:
    """The paper, or None when its step is not recorded (or the slug names no paper)."""
    if slug not in BUILDERS or slug not in records.available_papers():
        return None
    return BUILDERS[slug](records)
