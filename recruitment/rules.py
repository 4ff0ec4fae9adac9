"""The rules of the admission pipeline (docs/domain.md §3), as plain functions.

No database, no HTTP, no clock: each function takes plain values (dates, ints, bools) and returns a
list of `Finding`s, empty when the rule is met. Services decide what to do with them: a finding
that blocks stops the step, one that warns is shown and recorded, a note records that an exception
was used. Every number comes from `rule_numbers`, so messages follow when a committee corrects one.

Functions that compare two dates of the pipeline also report the pair out of order with the same
finding `check_dates_plausible` gives (code DATE_ORDER and the same figures), so callers that run
both can drop duplicates with `unique_findings`.
"""

import calendar
import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from members.vocabulary import GeneralEducation
from recruitment import rule_numbers as N
from recruitment.working_days import add_working_days, working_days_between


class Severity(models.TextChoices):
    BLOCKS = "blocks", _("Không được tiếp tục")
    WARNS = "warns", _("Cảnh báo")
    # An exception or extension was used lawfully; shown so that nobody has to ask.
    NOTES = "notes", _("Ghi nhận")


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    # Plain JSON-able values (ints, strings, ISO dates) so a service can store them as they are.
    figures: Mapping[str, object] = field(default_factory=dict)

    @property
    def blocks(self) -> bool:
        return self.severity == Severity.BLOCKS


def unique_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in order, without repeats of the same code and message."""
    seen: set[tuple[str, str]] = set()
    result = []
    for finding in findings:
        key = (finding.code, finding.message)
        if key not in seen:
            seen.add(key)
            result.append(finding)
    return result


# --- dates and months ---------------------------------------------------------------------------


def fmt(d: datetime.date) -> str:
    return d.strftime("%d/%m/%Y")


def add_months(d: datetime.date, months: int) -> datetime.date:
    """`d` moved by whole months; a day the target month lacks becomes its last day.

    That is how the Civil Code (Bộ luật Dân sự 2015, Điều 148) ends a period counted in months, so a
    person born on 29/02 turns 18 on 28/02 of a common year.
    """
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def full_months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from `start` to `end` (`end` not before `start`), as `add_months` counts them."""
    if end < start:
        raise ValueError(f"{end} is before {start}")
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months


def age_in_months(birth_date: datetime.date, on: datetime.date) -> int:
    return full_months_between(birth_date, on)


def _years_months(total_months: int) -> str:
    years, months = divmod(total_months, 12)
    return f"{years} tuổi {months} tháng" if months else f"{years} tuổi"


def _cite(rule: int | str, summary: str, *sources: str) -> str:
    return f"(Quy tắc {rule}: {summary}; {', '.join(sources)})"


def _share_text() -> str:
    return f"{N.VOTE_SHARE_NUMERATOR}/{N.VOTE_SHARE_DENOMINATOR}"


# --- dates in order -----------------------------------------------------------------------------

DATE_FIELD_LABELS: dict[str, str] = {
    "birth_date": "Ngày sinh",
    "proposal_date": "Ngày đưa vào diện quần chúng ưu tú",
    "class_start_date": "Ngày khai giảng lớp bồi dưỡng nhận thức về Đảng",
    "class_end_date": "Ngày bế giảng lớp bồi dưỡng nhận thức về Đảng",
    "certificate_date": "Ngày cấp giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng",
    "application_date": "Ngày viết đơn xin vào Đảng",
    "history_date": "Ngày khai lý lịch của người xin vào Đảng",
    "introduction_date": "Ngày viết giấy giới thiệu người vào Đảng",
    "body_introduction_date": "Ngày Đoàn / Công đoàn giới thiệu người vào Đảng",
    "opinions_date": "Ngày tổng hợp ý kiến nhận xét của đoàn thể",
    "verification_completed_date": "Ngày hoàn thành thẩm tra lý lịch",
    "verification_sent_date": "Ngày gửi thẩm tra lý lịch",
    "verification_reply_date": "Ngày trả lời thẩm tra lý lịch",
    "dossier_submitted_date": "Ngày nộp hồ sơ xin vào Đảng",
    "resolution_date": "Ngày chi bộ họp xét, ra nghị quyết đề nghị kết nạp",
    "committee_approval_date": "Ngày đảng ủy cơ sở xét, đề nghị kết nạp",
    "decision_date": "Ngày quyết định kết nạp đảng viên",
    "decision_received_date": "Ngày chi bộ nhận quyết định kết nạp",
    "ceremony_date": "Ngày tổ chức lễ kết nạp",
    "recognition_date": "Ngày chi bộ xét công nhận đảng viên chính thức",
    "left_on": "Ngày ra khỏi Đảng",
    "known_since": "Ngày bắt đầu cùng công tác, học tập, sinh sống với người vào Đảng",
}

# The stages that follow the cell vote, in the order they must happen (a stage may share its day
# with the one before it). Each is compared with the nearest earlier one that has a date, so a
# missing committee approval (a cell under no grassroots committee) compares the decision with the vote.
_CHAIN = (
    "resolution_date",
    "committee_approval_date",
    "decision_date",
    "decision_received_date",
    "ceremony_date",
    "recognition_date",
)
# Papers that must exist by the day of the cell vote.
_BEFORE_VOTE = ("certificate_date", "application_date", "history_date", "introduction_date")
# The papers of the dossier (mẫu 1, 2, 3-KNĐ, the body's introduction, the opinions).
_DOSSIER_PAPERS = ("application_date", "history_date", "introduction_date", "body_introduction_date", "opinions_date")

_R15_SOURCES = (N.STATUTE, N.QD_294, N.HD_06)
# Rule 15 (docs/domain.md §3.3): one chronology. (earlier, later, why the earlier comes first); a
# later date before its earlier one blocks. Names are the bases of `DATE_FIELD_LABELS`.
_PROPOSED_FIRST = "người vào Đảng được đưa vào diện quần chúng ưu tú trước khi lập hồ sơ"
_CHRONOLOGY: tuple[tuple[str, str, str], ...] = (
    ("proposal_date", "class_start_date", "được đưa vào diện quần chúng ưu tú rồi mới được cử đi học lớp bồi dưỡng"),
    ("class_start_date", "class_end_date", "lớp bồi dưỡng bế giảng sau khi khai giảng"),
    ("class_end_date", "certificate_date", "giấy chứng nhận được cấp khi lớp bồi dưỡng đã bế giảng"),
    *(("proposal_date", paper, _PROPOSED_FIRST) for paper in _DOSSIER_PAPERS),
    ("proposal_date", "verification_completed_date", _PROPOSED_FIRST),
    ("proposal_date", "dossier_submitted_date", _PROPOSED_FIRST),
    ("application_date", "history_date", "đơn xin vào Đảng viết trước lý lịch"),
    *((paper, "dossier_submitted_date", "giấy tờ trong hồ sơ có trước ngày nộp hồ sơ") for paper in _DOSSIER_PAPERS),
    ("verification_sent_date", "verification_reply_date", "trả lời thẩm tra sau khi đã gửi thẩm tra"),
    *(
        (paper, "resolution_date", "giấy tờ, kết quả thẩm tra phải có trước khi chi bộ họp xét")
        for paper in (*_BEFORE_VOTE, *_DOSSIER_PAPERS[3:], "verification_completed_date", "dossier_submitted_date")
    ),
    ("resolution_date", "committee_approval_date", "đảng ủy cơ sở xét sau nghị quyết của chi bộ"),
    ("resolution_date", "decision_date", "quyết định kết nạp sau nghị quyết của chi bộ"),
    ("committee_approval_date", "decision_date", "quyết định kết nạp sau khi đảng ủy cơ sở xét duyệt"),
    ("decision_date", "decision_received_date", "chi bộ nhận quyết định sau ngày ký quyết định"),
    ("decision_received_date", "ceremony_date", "lễ kết nạp tổ chức sau khi nhận quyết định"),
    ("decision_date", "ceremony_date", "lễ kết nạp tổ chức sau ngày quyết định kết nạp"),
    ("ceremony_date", "recognition_date", "xét công nhận chính thức sau lễ kết nạp"),
)
_CHRONOLOGY_WHY = {(earlier, later): why for earlier, later, why in _CHRONOLOGY}


def _base(name: str) -> str:
    return name.split(":", 1)[0]


def _label(name: str) -> str:
    """The label of a date name; `base:detail` (an introducer's name, a request's addressee) adds the detail."""
    base, _sep, detail = name.partition(":")
    label = DATE_FIELD_LABELS.get(base, base)
    return f"{label} ({detail})" if detail else label


def _lower_first(text: str) -> str:
    return f"{text[0].lower()}{text[1:]}"


def _order_finding(later: str, later_date: datetime.date, earlier: str, earlier_date: datetime.date) -> Finding:
    why = _CHRONOLOGY_WHY.get((_base(earlier), _base(later)))
    cite = f" {_cite(15, why, *_R15_SOURCES)}" if why else ""
    return Finding(
        code="DATE_ORDER",
        severity=Severity.BLOCKS,
        message=(
            f"{_label(later)} ({fmt(later_date)}) không thể trước "
            f"{_lower_first(_label(earlier))} ({fmt(earlier_date)}); kiểm tra lại ngày đã nhập.{cite}"
        ),
        figures={
            "field": _base(later),
            "date": later_date.isoformat(),
            "must_not_precede": _base(earlier),
            "other_date": earlier_date.isoformat(),
        },
    )


def _in_order(earlier: str, earlier_date: datetime.date, later: str, later_date: datetime.date) -> list[Finding]:
    if later_date < earlier_date:
        return [_order_finding(later, later_date, earlier, earlier_date)]
    return []


def _by_base(present: Mapping[str, datetime.date]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name in present:
        base = name.partition(":")[0]  # _base(name)
        names = grouped.get(base)
        if names is None:
            grouped[base] = [name]
        else:
            names.append(name)
    return grouped


_CHAIN_EDGES = {(a, b) for a, b in zip(_CHAIN, _CHAIN[1:], strict=False)} | {
    ("resolution_date", "decision_date"),
    ("decision_date", "ceremony_date"),
}
# The pairs of _CHRONOLOGY checked pair by pair (the chain's edges are checked along the chain), in order.
_PAIRS_CHECKED = tuple((earlier, later) for earlier, later, _why in _CHRONOLOGY if (earlier, later) not in _CHAIN_EDGES)


def chronology_findings(dates: Mapping[str, datetime.date | None]) -> list[Finding]:
    """Rule 15 (docs/domain.md §3.3): every date of one candidate's timeline against every earlier step's.

    `dates` maps a name of `DATE_FIELD_LABELS` (or `name:detail`, e.g. `introduction_date:Lê Văn A`, one
    per introducer or verification request; two names with details pair only on the same detail) to
    its date. Pure: the dates on record plus those a step would add (or a correction would change).

    A `verification_reply_date:…` given as None is a request still unanswered: with a completed
    verification (`verification_completed_date`) on or after the day it was sent it blocks; with a cell
    vote it warns, as does a reply dated after the vote. Each finding names both dates and the rule.
    Steps after the vote in a row compare with the nearest earlier one on record (the committee's
    approval is absent for a cell under no grassroots committee).
    """
    present = {name: d for name, d in dates.items() if d is not None}
    findings: list[Finding] = []
    birth = present.get("birth_date")
    if birth is not None:
        others = [(d, name) for name, d in present.items() if name != "birth_date"]
        if others:
            first_date, first_name = min(others)
            if first_date < birth:
                findings.append(_order_finding(first_name, first_date, "birth_date", birth))
    by_base = _by_base(present)
    grouped = by_base.get
    for earlier, later in _PAIRS_CHECKED:
        laters = grouped(later)
        if not laters:
            continue
        # Each (earlier, later) pair of these bases, two with details only on the same detail, in order.
        for e in grouped(earlier, ()):
            e_detail, e_date = e.partition(":")[2], present[e]
            for lt in laters:
                if e_detail and (lt_detail := lt.partition(":")[2]) and e_detail != lt_detail:
                    continue
                if present[lt] < e_date:
                    findings.append(_order_finding(lt, present[lt], e, e_date))
    previous: tuple[str, datetime.date] | None = None
    for name in _CHAIN:
        if name in present:
            if previous is not None:
                findings += _in_order(previous[0], previous[1], name, present[name])
            previous = (name, present[name])
    findings += _verification_findings(dates)
    return findings


_R15_VERIFICATION = _cite(
    15, "thẩm tra lý lịch phải có kết quả trước khi chi bộ họp xét và trước ngày ghi là hoàn thành thẩm tra", N.HD_06
)


def _verification_findings(dates: Mapping[str, datetime.date | None]) -> list[Finding]:
    findings = []
    completed = dates.get("verification_completed_date")
    vote = dates.get("resolution_date")
    for name, replied in dates.items():
        if not name.startswith("verification_reply_date") or _base(name) != "verification_reply_date":
            continue
        detail = name.partition(":")[2]
        sent = dates.get(f"verification_sent_date:{detail}" if detail else "verification_sent_date")
        where = f" ({detail})" if detail else ""
        figures = {
            "field": "verification_reply_date",
            "request": detail,
            "sent_on": sent.isoformat() if sent else None,
            "replied_on": replied.isoformat() if replied else None,
        }
        if replied is None and completed is not None and (sent is None or sent <= completed):
            findings.append(
                Finding(
                    "R15_VERIFICATION_UNANSWERED",
                    Severity.BLOCKS,
                    f"Hồ sơ ghi hoàn thành thẩm tra lý lịch ngày {fmt(completed)} nhưng yêu cầu thẩm tra{where}"
                    + (f" gửi ngày {fmt(sent)}" if sent else "")
                    + f" chưa có trả lời; ghi ngày trả lời trước hoặc bỏ ngày hoàn thành thẩm tra {_R15_VERIFICATION}",
                    figures | {"field": "verification_completed_date", "completed_on": completed.isoformat()},
                )
            )
        if vote is None:
            continue
        if replied is None:
            findings.append(
                Finding(
                    "R15_VERIFICATION_PENDING_AT_VOTE",
                    Severity.WARNS,
                    f"Chi bộ họp xét ngày {fmt(vote)} khi yêu cầu thẩm tra lý lịch{where}"
                    + (f" gửi ngày {fmt(sent)}" if sent else "")
                    + f" chưa có trả lời {_R15_VERIFICATION}",
                    figures | {"vote_date": vote.isoformat()},
                )
            )
        elif replied > vote:
            findings.append(
                Finding(
                    "R15_VERIFICATION_REPLIED_AFTER_VOTE",
                    Severity.WARNS,
                    f"Yêu cầu thẩm tra lý lịch{where} được trả lời ngày {fmt(replied)}, sau ngày chi bộ họp xét "
                    f"({fmt(vote)}) {_R15_VERIFICATION}",
                    figures | {"vote_date": vote.isoformat()},
                )
            )
    return findings


def check_dates_in_future(*, today: datetime.date, dates: Mapping[str, datetime.date | None]) -> list[Finding]:
    """No date of the record after `today`: a step not yet taken cannot be recorded."""
    findings = []
    for name, d in dates.items():
        if d is not None and d > today:
            findings.append(
                Finding(
                    code="DATE_IN_FUTURE",
                    severity=Severity.BLOCKS,
                    message=(
                        f"{_label(name)} ({fmt(d)}) sau ngày hôm nay ({fmt(today)}); "
                        "không thể ghi nhận một việc chưa diễn ra."
                    ),
                    figures={"field": _base(name), "date": d.isoformat(), "today": today.isoformat()},
                )
            )
    return findings


def check_dates_plausible(*, today: datetime.date, **dates: datetime.date | None) -> list[Finding]:
    """Dates of one candidate's record: none in the future (`check_dates_in_future`), none out of
    sequence (`chronology_findings`). Keyword names are those of `DATE_FIELD_LABELS`."""
    return check_dates_in_future(today=today, dates=dates) + chronology_findings(dates)


# --- rule 1: age --------------------------------------------------------------------------------

_R1 = _cite(
    1,
    f"từ đủ {N.MIN_AGE_YEARS} tuổi đến đủ {N.MAX_AGE_YEARS} tuổi, tính theo tháng, đến ngày chi bộ xét kết nạp",
    N.STATUTE,
    N.QD_294,
)


def check_age(
    *,
    birth_date: datetime.date,
    vote_date: datetime.date,
    over_age_exception: bool = False,
    exception_reference: str = "",
) -> list[Finding]:
    """Rule 1. `over_age_exception`: a committee directly under the Central Committee allowed it;
    `exception_reference` is its document number."""
    if vote_date < birth_date:
        return [_order_finding("resolution_date", vote_date, "birth_date", birth_date)]
    months = age_in_months(birth_date, vote_date)
    figures = {
        "birth_date": birth_date.isoformat(),
        "vote_date": vote_date.isoformat(),
        "age_months": months,
        "min_months": N.MIN_AGE_YEARS * 12,
        "max_months": N.MAX_AGE_YEARS * 12,
    }
    if months < N.MIN_AGE_YEARS * 12:
        return [
            Finding(
                "R01_TOO_YOUNG",
                Severity.BLOCKS,
                f"Đến ngày chi bộ xét kết nạp ({fmt(vote_date)}), người vào Đảng mới {_years_months(months)}; "
                f"đủ {N.MIN_AGE_YEARS} tuổi vào ngày {fmt(add_months(birth_date, N.MIN_AGE_YEARS * 12))} {_R1}",
                figures,
            )
        ]
    if months <= N.MAX_AGE_YEARS * 12:
        return []
    reference = exception_reference.strip()
    if over_age_exception and reference:
        return [
            Finding(
                "R01_OVER_AGE_EXCEPTION",
                Severity.NOTES,
                f"Người vào Đảng đã {_years_months(months)} vào ngày chi bộ xét kết nạp ({fmt(vote_date)}); "
                f"được cấp ủy trực thuộc Trung ương cho phép theo văn bản {reference} {_R1}",
                figures | {"exception_reference": reference},
            )
        ]
    if over_age_exception:
        return [
            Finding(
                "R01_EXCEPTION_WITHOUT_REFERENCE",
                Severity.BLOCKS,
                f"Người vào Đảng đã {_years_months(months)}; đã đánh dấu có ý kiến của cấp ủy trực thuộc "
                f"Trung ương nhưng chưa ghi số, ngày văn bản {_R1}",
                figures,
            )
        ]
    return [
        Finding(
            "R01_TOO_OLD",
            Severity.BLOCKS,
            f"Đến ngày chi bộ xét kết nạp ({fmt(vote_date)}), người vào Đảng đã {_years_months(months)}, "
            f"quá {N.MAX_AGE_YEARS} tuổi; cần văn bản đồng ý của cấp ủy trực thuộc Trung ương {_R1}",
            figures,
        )
    ]


# --- rule 2: education --------------------------------------------------------------------------

_R2 = _cite(2, "tốt nghiệp trung học cơ sở trở lên", N.QD_294, N.HD_06)
_EDUCATION_RANK = {
    GeneralEducation.PRIMARY.value: 0,
    GeneralEducation.LOWER_SECONDARY.value: 1,
    GeneralEducation.UPPER_SECONDARY.value: 2,
}


def check_education(
    *,
    general_education: str | None,
    hardship_exception: bool = False,
    exception_reference: str = "",
) -> list[Finding]:
    """Rule 2. `general_education` is a `GeneralEducation` value. `hardship_exception`: mountain,
    island, ethnic-minority or hardship area per the Secretariat's guidance; `exception_reference`
    names the document applied."""
    if not general_education:
        return [
            Finding(
                "R02_EDUCATION_MISSING",
                Severity.BLOCKS,
                f"Chưa ghi trình độ giáo dục phổ thông của người vào Đảng {_R2}",
                {},
            )
        ]
    if general_education not in _EDUCATION_RANK:
        return [
            Finding(
                "R02_EDUCATION_UNKNOWN",
                Severity.BLOCKS,
                f"Trình độ giáo dục phổ thông «{general_education}» không có trong danh mục {_R2}",
                {"general_education": general_education},
            )
        ]
    if _EDUCATION_RANK[general_education] >= _EDUCATION_RANK[GeneralEducation.LOWER_SECONDARY]:
        return []
    figures = {"general_education": general_education}
    reference = exception_reference.strip()
    if hardship_exception and reference:
        return [
            Finding(
                "R02_HARDSHIP_EXCEPTION",
                Severity.NOTES,
                "Người vào Đảng chưa tốt nghiệp trung học cơ sở; áp dụng ngoại lệ vùng khó khăn theo "
                f"{reference} {_R2}",
                figures | {"exception_reference": reference},
            )
        ]
    if hardship_exception:
        return [
            Finding(
                "R02_EXCEPTION_WITHOUT_REFERENCE",
                Severity.BLOCKS,
                "Đã đánh dấu ngoại lệ về học vấn (vùng khó khăn) nhưng chưa ghi văn bản áp dụng " + _R2,
                figures,
            )
        ]
    return [
        Finding(
            "R02_EDUCATION_TOO_LOW",
            Severity.BLOCKS,
            "Người vào Đảng mới có trình độ tiểu học, chưa tốt nghiệp trung học cơ sở; chỉ được xét nếu "
            f"thuộc trường hợp ngoại lệ có văn bản {_R2}",
            figures,
        )
    ]


# --- rule 3: training certificate ---------------------------------------------------------------

_R3 = _cite(
    3,
    f"giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng có giá trị {N.CERTIFICATE_VALIDITY_MONTHS} tháng "
    "kể từ ngày cấp",
    N.HD_06,
    N.HD_01,
)


def certificate_valid_until(issued_on: datetime.date) -> datetime.date:
    """The last day a certificate issued on `issued_on` is valid."""
    return add_months(issued_on, N.CERTIFICATE_VALIDITY_MONTHS)


def check_certificate(*, issued_on: datetime.date | None, vote_date: datetime.date) -> list[Finding]:
    """Rule 3: the certificate must be valid on the day of the cell vote."""
    if issued_on is None:
        return [
            Finding(
                "R03_CERTIFICATE_MISSING",
                Severity.BLOCKS,
                f"Người vào Đảng chưa có giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng {_R3}",
                {"vote_date": vote_date.isoformat()},
            )
        ]
    if vote_date < issued_on:
        return [_order_finding("resolution_date", vote_date, "certificate_date", issued_on)]
    valid_until = certificate_valid_until(issued_on)
    if vote_date <= valid_until:
        return []
    return [
        Finding(
            "R03_CERTIFICATE_EXPIRED",
            Severity.BLOCKS,
            f"Giấy chứng nhận cấp ngày {fmt(issued_on)} chỉ có giá trị đến hết ngày {fmt(valid_until)}; "
            f"chi bộ xét kết nạp ngày {fmt(vote_date)}, người vào Đảng phải học lại {_R3}",
            {
                "issued_on": issued_on.isoformat(),
                "valid_until": valid_until.isoformat(),
                "vote_date": vote_date.isoformat(),
                "validity_months": N.CERTIFICATE_VALIDITY_MONTHS,
            },
        )
    ]


# --- rule 4: application before personal history ------------------------------------------------

_R4 = _cite(4, "đơn xin vào Đảng phải viết trước lý lịch của người xin vào Đảng", N.HD_06, N.HD_01)


def check_application_before_history(*, application_date: datetime.date, history_date: datetime.date) -> list[Finding]:
    """Rule 4. Same-day papers only warn: the texts say "before" without saying whether a day apart."""
    figures = {"application_date": application_date.isoformat(), "history_date": history_date.isoformat()}
    if application_date > history_date:
        return [
            Finding(
                "R04_APPLICATION_AFTER_HISTORY",
                Severity.BLOCKS,
                f"Đơn xin vào Đảng đề ngày {fmt(application_date)}, sau lý lịch (ngày {fmt(history_date)}) {_R4}",
                figures,
            )
        ]
    if application_date == history_date:
        return [
            Finding(
                "R04_SAME_DAY",
                Severity.WARNS,
                f"Đơn xin vào Đảng và lý lịch cùng đề ngày {fmt(history_date)}; kiểm tra thứ tự viết {_R4}",
                figures,
            )
        ]
    return []


# --- rule 5: introducers ------------------------------------------------------------------------


class IntroductionRoute(models.TextChoices):
    MEMBERS = "members", _("Hai đảng viên chính thức")
    YOUTH_UNION = "youth_union", _("Đoàn TNCS Hồ Chí Minh và một đảng viên chính thức")
    TRADE_UNION = "trade_union", _("Công đoàn cơ sở và một đảng viên chính thức")


@dataclass(frozen=True)
class MemberIntroducer:
    name: str
    is_full_member: bool
    known_since: datetime.date
    introduced_on: datetime.date
    # Replaces an introducer who moved away or died: exempt from the months of acquaintance.
    is_replacement: bool = False


_R5 = _cite(
    5,
    "hai đảng viên chính thức giới thiệu, hoặc Đoàn TNCS Hồ Chí Minh (hay công đoàn cơ sở nơi không có tổ "
    "chức Đoàn) cùng một đảng viên chính thức; người giới thiệu là đảng viên chính thức, cùng công tác, học "
    f"tập, sinh sống với người vào Đảng ít nhất {N.INTRODUCER_MIN_MONTHS_KNOWN} tháng",
    N.STATUTE,
    N.QD_294,
)
_YOUTH = _cite(
    "5",
    f"độ tuổi thanh niên từ {N.YOUTH_AGE_MIN_YEARS} đến {N.YOUTH_AGE_MAX_YEARS} tuổi",
    N.STATUTE,
    N.YOUTH_UNION_STATUTE,
)


def is_youth_age(birth_date: datetime.date, on: datetime.date) -> bool:
    years = age_in_months(birth_date, on) // 12
    return N.YOUTH_AGE_MIN_YEARS <= years <= N.YOUTH_AGE_MAX_YEARS


def check_introducers(
    *,
    route: str,
    member_introducers: Sequence[MemberIntroducer],
    candidate_birth_date: datetime.date,
    vote_date: datetime.date,
    youth_union_exists: bool,
    is_youth_union_member: bool,
    agency_or_enterprise: bool,
) -> list[Finding]:
    """Rule 5. `route` is an `IntroductionRoute` value; `member_introducers` the party members who
    signed an introduction; `youth_union_exists`: the unit has a Đoàn organisation;
    `agency_or_enterprise`: the candidate's unit is an agency or enterprise (trade-union route)."""
    if route not in IntroductionRoute.values:
        raise ValueError(f"unknown introduction route {route!r}")
    findings: list[Finding] = []
    youth = is_youth_age(candidate_birth_date, vote_date)
    route_figures = {
        "route": route,
        "youth_age": youth,
        "youth_union_exists": youth_union_exists,
        "is_youth_union_member": is_youth_union_member,
    }
    if youth and youth_union_exists and not is_youth_union_member:
        findings.append(
            Finding(
                "R05_YOUTH_NOT_UNION_MEMBER",
                Severity.BLOCKS,
                "Người vào Đảng trong độ tuổi thanh niên, nơi có tổ chức Đoàn, phải là đoàn viên Đoàn TNCS "
                f"Hồ Chí Minh {_YOUTH}",
                route_figures,
            )
        )
    if route == IntroductionRoute.MEMBERS and youth and youth_union_exists:
        findings.append(
            Finding(
                "R05_YOUTH_NEEDS_DOAN",
                Severity.BLOCKS,
                "Người vào Đảng trong độ tuổi thanh niên, nơi có tổ chức Đoàn, phải được ban chấp hành Đoàn "
                f"cơ sở (hoặc tập thể chi đoàn cơ sở) và một đảng viên chính thức giới thiệu {_YOUTH}",
                route_figures,
            )
        )
    elif route == IntroductionRoute.YOUTH_UNION:
        if not youth_union_exists:
            findings.append(
                Finding(
                    "R05_NO_DOAN_ORGANISATION",
                    Severity.BLOCKS,
                    f"Đơn vị không có tổ chức Đoàn nên không thể có giới thiệu của Đoàn {_R5}",
                    route_figures,
                )
            )
        # A youth-age non-member was reported above; anyone else must still be a member.
        elif not is_youth_union_member and not youth:
            findings.append(
                Finding(
                    "R05_DOAN_INTRODUCES_MEMBERS_ONLY",
                    Severity.BLOCKS,
                    f"Đoàn chỉ giới thiệu đoàn viên vào Đảng; người vào Đảng không phải đoàn viên {_R5}",
                    route_figures,
                )
            )
    elif route == IntroductionRoute.TRADE_UNION and (youth_union_exists or not agency_or_enterprise):
        findings.append(
            Finding(
                "R05_TRADE_UNION_NOT_ALLOWED",
                Severity.BLOCKS,
                "Công đoàn cơ sở chỉ giới thiệu người vào Đảng ở cơ quan, doanh nghiệp không có tổ chức Đoàn " + _R5,
                route_figures | {"agency_or_enterprise": agency_or_enterprise},
            )
        )

    needed = 2 if route == IntroductionRoute.MEMBERS else 1
    if len(member_introducers) != needed:
        findings.append(
            Finding(
                "R05_INTRODUCER_COUNT",
                Severity.BLOCKS,
                f"Cách giới thiệu «{IntroductionRoute(route).label}» cần {needed} đảng viên chính thức giới "
                f"thiệu, hồ sơ có {len(member_introducers)} {_R5}",
                {"route": route, "needed": needed, "given": len(member_introducers)},
            )
        )
    for introducer in member_introducers:
        findings += _check_one_introducer(introducer)
    return findings


def _check_one_introducer(introducer: MemberIntroducer) -> list[Finding]:
    findings = []
    if not introducer.is_full_member:
        findings.append(
            Finding(
                "R05_INTRODUCER_NOT_FULL",
                Severity.BLOCKS,
                f"Đồng chí {introducer.name} là đảng viên dự bị, không được giới thiệu người vào Đảng {_R5}",
                {"introducer": introducer.name},
            )
        )
    if introducer.introduced_on < introducer.known_since:
        findings.append(
            _order_finding("introduction_date", introducer.introduced_on, "known_since", introducer.known_since)
        )
        return findings
    months = full_months_between(introducer.known_since, introducer.introduced_on)
    if months < N.INTRODUCER_MIN_MONTHS_KNOWN and not introducer.is_replacement:
        findings.append(
            Finding(
                "R05_INTRODUCER_KNOWN_TOO_SHORT",
                Severity.BLOCKS,
                f"Đồng chí {introducer.name} mới cùng công tác, học tập, sinh sống với người vào Đảng {months} "
                f"tháng (từ {fmt(introducer.known_since)} đến ngày giới thiệu {fmt(introducer.introduced_on)}), "
                f"cần ít nhất {N.INTRODUCER_MIN_MONTHS_KNOWN} tháng {_R5}",
                {
                    "introducer": introducer.name,
                    "months_known": months,
                    "min_months": N.INTRODUCER_MIN_MONTHS_KNOWN,
                    "known_since": introducer.known_since.isoformat(),
                    "introduced_on": introducer.introduced_on.isoformat(),
                },
            )
        )
    return findings


# --- rule 6: two thirds of all full members -----------------------------------------------------


def required_votes(base: int) -> int:
    """Least number of votes that is at least two thirds of `base`, in integers (no rounding error)."""
    return -(-base * N.VOTE_SHARE_NUMERATOR // N.VOTE_SHARE_DENOMINATOR)


def check_cell_vote(*, votes_for: int, full_members: int, absent_exempt: int = 0) -> list[Finding]:
    """Rule 6 for the cell's resolution (6-KNĐ).

    `full_members`: all full members of the cell on the day (probationary members do not vote and
    are not counted). `absent_exempt`: full members temporarily working elsewhere or excused from
    party activity who were absent; only they leave the base.
    """
    cite = _cite(
        6,
        f"≥ {_share_text()} tổng số đảng viên chính thức; đảng viên dự bị không biểu quyết",
        N.STATUTE,
        N.QD_294,
    )
    for name, value in (("votes_for", votes_for), ("full_members", full_members), ("absent_exempt", absent_exempt)):
        if value < 0:
            return [_invalid_figure("R06_FIGURES_INVALID", name, value, cite)]
    if absent_exempt > full_members:
        return [
            Finding(
                "R06_FIGURES_INVALID",
                Severity.BLOCKS,
                f"Số đảng viên được miễn sinh hoạt hoặc đi công tác vắng mặt ({absent_exempt}) lớn hơn tổng số "
                f"đảng viên chính thức ({full_members}) {cite}",
                {"full_members": full_members, "absent_exempt": absent_exempt},
            )
        ]
    base = full_members - absent_exempt
    base_text = f"Chi bộ có {full_members} đảng viên chính thức" + (
        f" ({absent_exempt} đồng chí đi công tác hoặc được miễn sinh hoạt vắng mặt, không tính)"
        if absent_exempt
        else ""
    )
    return _two_thirds(
        prefix="R06",
        votes_for=votes_for,
        base=base,
        base_text=base_text,
        voters_word="đảng viên chính thức có quyền biểu quyết",
        cite=cite,
        figures={"full_members": full_members, "absent_exempt": absent_exempt},
    )


def check_committee_approval(*, votes_for: int, committee_members: int) -> list[Finding]:
    """Rule 6 for the grassroots committee's approval (8-KNĐ): two thirds of all its members."""
    cite = _cite(6, f"≥ {_share_text()} tổng số cấp ủy viên", N.STATUTE, N.QD_294)
    for name, value in (("votes_for", votes_for), ("committee_members", committee_members)):
        if value < 0:
            return [_invalid_figure("R06_COMMITTEE_FIGURES_INVALID", name, value, cite)]
    return _two_thirds(
        prefix="R06_COMMITTEE",
        votes_for=votes_for,
        base=committee_members,
        base_text=f"Đảng ủy cơ sở có {committee_members} cấp ủy viên",
        voters_word="cấp ủy viên",
        cite=cite,
        figures={"committee_members": committee_members},
    )


_R06_ROLL = _cite(
    6,
    f"≥ {_share_text()} tổng số đảng viên chính thức của chi bộ theo danh sách đảng viên ngày họp; chỉ trừ "
    "những đồng chí đi công tác hoặc được miễn sinh hoạt vắng mặt, ghi rõ tên",
    N.STATUTE,
    N.QD_294,
)


def check_vote_roll(
    *,
    vote_date: datetime.date,
    full_members: int,
    absent_exempt: int,
    roll_full_members: int,
    named_absent: int,
    reason: str = "",
) -> list[Finding]:
    """Rule 6, the base of the cell's vote (docs/domain.md §3.3): the roll decides it.

    `roll_full_members`: full members on the cell's roll on `vote_date`; `named_absent`: those of them
    the secretary marked by name as absent on work or exempted from activity. `full_members` and
    `absent_exempt` are the minutes' figures. When they differ from the roll's, the vote needs
    `reason` (blocks without one); with one it is recorded as an exception (a note naming both figures).
    """
    figures = {
        "vote_date": vote_date.isoformat(),
        "full_members": full_members,
        "absent_exempt": absent_exempt,
        "roll_full_members": roll_full_members,
        "named_absent": named_absent,
    }
    if full_members == roll_full_members and absent_exempt == named_absent:
        return []
    parts = []
    if full_members != roll_full_members:
        parts.append(
            f"biên bản ghi {full_members} đảng viên chính thức, danh sách đảng viên của chi bộ ngày {fmt(vote_date)} "
            f"có {roll_full_members}"
        )
    if absent_exempt != named_absent:
        parts.append(
            f"biên bản trừ {absent_exempt} đồng chí vắng mặt (đi công tác, miễn sinh hoạt), đã ghi tên {named_absent}"
        )
    text = "; ".join(parts)
    base, roll_base = full_members - absent_exempt, roll_full_members - named_absent
    needed = f"cần {required_votes(base)} phiếu theo biên bản, {required_votes(max(roll_base, 0))} theo danh sách"
    reason = reason.strip()
    if reason:
        return [
            Finding(
                "R06_BASE_EXCEPTION",
                Severity.NOTES,
                f"Ngoại lệ: {text} ({needed}); lý do: {reason} {_R06_ROLL}",
                figures | {"reason": reason},
            )
        ]
    return [
        Finding(
            "R06_BASE_DIFFERS_FROM_ROLL",
            Severity.BLOCKS,
            f"Số liệu khác danh sách đảng viên: {text} ({needed}). Sửa lại theo danh sách, đánh dấu tên những "
            f"đồng chí vắng mặt được trừ, hoặc ghi lý do {_R06_ROLL}",
            figures,
        )
    ]


def check_committee_roll(
    *,
    approval_date: datetime.date,
    committee_members: int,
    reference_members: int | None,
    reference_date: datetime.date | None,
    reason: str = "",
) -> list[Finding]:
    """Rule 6, the base of the grassroots committee's approval (docs/domain.md §3.3).

    PartyHub keeps no roll of committee members (cấp ủy viên): the reference is the figure recorded
    at the committee's latest earlier approval (`reference_members` on `reference_date`; None: none,
    and the figure is taken as typed). A different figure needs `reason`, as for the cell's vote."""
    if reference_members is None or reference_date is None or committee_members == reference_members:
        return []
    cite = _cite(6, f"≥ {_share_text()} tổng số cấp ủy viên", N.STATUTE, N.QD_294)
    text = (
        f"biên bản ngày {fmt(approval_date)} ghi {committee_members} cấp ủy viên, lần xét duyệt ngày "
        f"{fmt(reference_date)} ghi {reference_members}"
    )
    figures = {
        "approval_date": approval_date.isoformat(),
        "committee_members": committee_members,
        "reference_members": reference_members,
        "reference_date": reference_date.isoformat(),
    }
    reason = reason.strip()
    if reason:
        return [
            Finding(
                "R06_COMMITTEE_BASE_EXCEPTION",
                Severity.NOTES,
                f"Ngoại lệ: {text}; lý do: {reason} {cite}",
                figures | {"reason": reason},
            )
        ]
    return [
        Finding(
            "R06_COMMITTEE_BASE_DIFFERS",
            Severity.BLOCKS,
            f"Số cấp ủy viên khác lần trước: {text}. Sửa lại hoặc ghi lý do (bầu bổ sung, chuyển đi, ...) {cite}",
            figures,
        )
    ]


_VOTE_FIGURE_LABELS = {
    "votes_for": "số phiếu tán thành",
    "full_members": "số đảng viên chính thức",
    "absent_exempt": "số đảng viên đi công tác hoặc được miễn sinh hoạt vắng mặt",
    "committee_members": "số cấp ủy viên",
}


def _invalid_figure(code: str, name: str, value: int, cite: str) -> Finding:
    return Finding(
        code,
        Severity.BLOCKS,
        f"Số liệu biểu quyết không hợp lệ: {_VOTE_FIGURE_LABELS[name]} là {value} {cite}",
        {name: value},
    )


def _two_thirds(
    *, prefix: str, votes_for: int, base: int, base_text: str, voters_word: str, cite: str, figures: dict
) -> list[Finding]:
    needed = required_votes(base)
    figures = figures | {"base": base, "votes_for": votes_for, "needed": needed}
    if base == 0:
        return [
            Finding(
                f"{prefix}_NO_VOTERS",
                Severity.BLOCKS,
                f"{base_text}; không còn {voters_word} nào để biểu quyết {cite}",
                figures,
            )
        ]
    if votes_for > base:
        return [
            Finding(
                f"{prefix}_VOTES_EXCEED_VOTERS",
                Severity.BLOCKS,
                f"Số phiếu tán thành ({votes_for}) lớn hơn số {voters_word} ({base}); kiểm tra lại biên bản {cite}",
                figures,
            )
        ]
    if votes_for < needed:
        return [
            Finding(
                f"{prefix}_VOTE_SHARE",
                Severity.BLOCKS,
                f"{base_text}; cần ít nhất {needed} phiếu tán thành, có {votes_for} {cite}",
                figures,
            )
        ]
    return []


# --- rule 7: a cell needs three full members ----------------------------------------------------


def check_minimum_full_members(*, full_members: int) -> list[Finding]:
    """Rule 7 (warns)."""
    if full_members >= N.MIN_FULL_MEMBERS_FOR_VOTE:
        return []
    return [
        Finding(
            "R07_TOO_FEW_FULL_MEMBERS",
            Severity.WARNS,
            f"Chi bộ chỉ có {full_members} đảng viên chính thức, dưới {N.MIN_FULL_MEMBERS_FOR_VOTE}; chưa đủ "
            "điều kiện họp xét kết nạp, cần báo cáo cấp ủy cấp trên "
            + _cite(7, f"chi bộ cần ít nhất {N.MIN_FULL_MEMBERS_FOR_VOTE} đảng viên chính thức", N.STATUTE, N.HD_06),
            {"full_members": full_members, "minimum": N.MIN_FULL_MEMBERS_FOR_VOTE},
        )
    ]


# --- rule 8: the admission decision -------------------------------------------------------------

_R8 = _cite(
    8,
    f"quyết định trong {N.DECISION_WORKING_DAYS} ngày làm việc kể từ ngày chi bộ có nghị quyết, gia hạn "
    f"không quá {N.DECISION_EXTENSION_WORKING_DAYS} ngày làm việc",
    N.QD_232,
    N.QD_294,
)


def decision_deadline(resolution_date: datetime.date, *, extended: bool = False) -> datetime.date:
    days = N.DECISION_WORKING_DAYS + (N.DECISION_EXTENSION_WORKING_DAYS if extended else 0)
    return add_working_days(resolution_date, days)


def check_decision_deadline(
    *, resolution_date: datetime.date, decision_date: datetime.date, extended: bool = False
) -> list[Finding]:
    """Rule 8. `extended`: the competent committee recorded an extension.

    Counted in working days after the resolution up to the decision, so a decision signed on a
    weekend right after the last working day is still in time.
    """
    if decision_date < resolution_date:
        return [_order_finding("decision_date", decision_date, "resolution_date", resolution_date)]
    used = working_days_between(resolution_date, decision_date)
    limit = N.DECISION_WORKING_DAYS
    figures = {
        "resolution_date": resolution_date.isoformat(),
        "decision_date": decision_date.isoformat(),
        "working_days": used,
        "limit": limit,
        "extension": N.DECISION_EXTENSION_WORKING_DAYS,
        "extended": extended,
    }
    if used <= limit:
        return []
    if extended and used <= limit + N.DECISION_EXTENSION_WORKING_DAYS:
        return [
            Finding(
                "R08_DECISION_EXTENDED",
                Severity.NOTES,
                f"Quyết định kết nạp ngày {fmt(decision_date)}, {used} ngày làm việc sau nghị quyết chi bộ "
                f"({fmt(resolution_date)}), trong thời gian gia hạn {_R8}",
                figures,
            )
        ]
    if extended:
        return [
            Finding(
                "R08_DECISION_LATE",
                Severity.BLOCKS,
                f"Quyết định kết nạp ngày {fmt(decision_date)}, {used} ngày làm việc sau nghị quyết chi bộ "
                f"({fmt(resolution_date)}); đã gia hạn nhưng hạn cuối là "
                f"{fmt(decision_deadline(resolution_date, extended=True))} "
                f"({limit + N.DECISION_EXTENSION_WORKING_DAYS} ngày làm việc) {_R8}",
                figures,
            )
        ]
    return [
        Finding(
            "R08_DECISION_LATE",
            Severity.BLOCKS,
            f"Quyết định kết nạp ngày {fmt(decision_date)}, {used} ngày làm việc sau nghị quyết chi bộ "
            f"({fmt(resolution_date)}); hạn là {fmt(decision_deadline(resolution_date))} ({limit} ngày làm việc) "
            f"và không có gia hạn {_R8}",
            figures,
        )
    ]


# --- rule 9: the ceremony -----------------------------------------------------------------------

_R9 = _cite(
    9,
    f"lễ kết nạp trong {N.CEREMONY_WORKING_DAYS} ngày làm việc kể từ ngày nhận quyết định; quá hạn phải được "
    "cấp ủy cấp trên trực tiếp đồng ý",
    N.QD_294,
    N.HD_06,
)


def ceremony_deadline(decision_received_date: datetime.date) -> datetime.date:
    return add_working_days(decision_received_date, N.CEREMONY_WORKING_DAYS)


def check_ceremony_deadline(
    *, decision_received_date: datetime.date, ceremony_date: datetime.date, superior_consent: bool = False
) -> list[Finding]:
    """Rule 9. `superior_consent`: the committee directly above agreed to a late ceremony."""
    if ceremony_date < decision_received_date:
        return [_order_finding("ceremony_date", ceremony_date, "decision_received_date", decision_received_date)]
    used = working_days_between(decision_received_date, ceremony_date)
    if used <= N.CEREMONY_WORKING_DAYS:
        return []
    figures = {
        "decision_received_date": decision_received_date.isoformat(),
        "ceremony_date": ceremony_date.isoformat(),
        "working_days": used,
        "limit": N.CEREMONY_WORKING_DAYS,
        "superior_consent": superior_consent,
    }
    text = (
        f"Lễ kết nạp ngày {fmt(ceremony_date)}, {used} ngày làm việc sau ngày nhận quyết định "
        f"({fmt(decision_received_date)}); hạn là {fmt(ceremony_deadline(decision_received_date))}"
    )
    if superior_consent:
        return [
            Finding("R09_LATE_WITH_CONSENT", Severity.NOTES, f"{text}; đã có ý kiến đồng ý của cấp trên {_R9}", figures)
        ]
    return [Finding("R09_CEREMONY_LATE", Severity.BLOCKS, f"{text}; chưa có ý kiến đồng ý của cấp trên {_R9}", figures)]


# --- rules 10 and 11: probation and recognition -------------------------------------------------

_R10 = _cite(10, f"thời gian dự bị {N.PROBATION_MONTHS} tháng kể từ ngày tổ chức lễ kết nạp", N.STATUTE)
_R11 = _cite(
    11,
    f"chi bộ xét công nhận chính thức trong {N.RECOGNITION_WORKING_DAYS} ngày làm việc kể từ khi hết "
    f"{N.PROBATION_MONTHS} tháng dự bị; họp chậm vẫn công nhận đúng thời điểm hết dự bị",
    N.STATUTE,
    N.QD_294,
)


def probation_end(ceremony_date: datetime.date) -> datetime.date:
    """Rule 10: the day the 12 months of probation are complete."""
    return add_months(ceremony_date, N.PROBATION_MONTHS)


def full_member_effective_date(ceremony_date: datetime.date) -> datetime.date:
    """Rule 11: a recognised member is full from the end of probation, however late the meeting."""
    return probation_end(ceremony_date)


def recognition_deadline(ceremony_date: datetime.date) -> datetime.date:
    return add_working_days(probation_end(ceremony_date), N.RECOGNITION_WORKING_DAYS)


def check_probation_completed(*, ceremony_date: datetime.date, recognition_date: datetime.date) -> list[Finding]:
    """Rule 10: the cell may consider recognition only once the 12 months are complete."""
    end = probation_end(ceremony_date)
    if recognition_date >= end:
        return []
    return [
        Finding(
            "R10_PROBATION_NOT_OVER",
            Severity.BLOCKS,
            f"Chi bộ xét công nhận ngày {fmt(recognition_date)} nhưng đảng viên dự bị (kết nạp ngày "
            f"{fmt(ceremony_date)}) đến ngày {fmt(end)} mới hết {N.PROBATION_MONTHS} tháng dự bị {_R10}",
            {
                "ceremony_date": ceremony_date.isoformat(),
                "probation_end": end.isoformat(),
                "recognition_date": recognition_date.isoformat(),
            },
        )
    ]


def check_recognition_deadline(*, ceremony_date: datetime.date, recognition_date: datetime.date) -> list[Finding]:
    """Rule 11. A late meeting warns and does not block: QĐ 29 point 4.2(b), kept since, says the
    member is recognised as of the end of probation all the same, so the late record must be
    accepted. Recognition before the end of probation is rule 10."""
    end = probation_end(ceremony_date)
    if recognition_date < end:
        return []
    used = working_days_between(end, recognition_date)
    if used <= N.RECOGNITION_WORKING_DAYS:
        return []
    return [
        Finding(
            "R11_RECOGNITION_LATE",
            Severity.WARNS,
            f"Chi bộ xét công nhận chính thức ngày {fmt(recognition_date)}, {used} ngày làm việc sau khi hết dự "
            f"bị ({fmt(end)}); hạn là {fmt(recognition_deadline(ceremony_date))}. Nếu được công nhận, đảng viên "
            f"vẫn là đảng viên chính thức từ ngày {fmt(full_member_effective_date(ceremony_date))} {_R11}",
            {
                "probation_end": end.isoformat(),
                "recognition_date": recognition_date.isoformat(),
                "working_days": used,
                "limit": N.RECOGNITION_WORKING_DAYS,
            },
        )
    ]


# --- rule 12: party age -------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyAge:
    total_months: int

    @property
    def years(self) -> int:
        return self.total_months // 12

    @property
    def months(self) -> int:
        return self.total_months % 12

    def __str__(self) -> str:
        return f"{self.years} năm {self.months} tháng" if self.months else f"{self.years} năm"


def party_age(
    *,
    decision_date: datetime.date,
    on: datetime.date,
    inactive_periods: Iterable[tuple[datetime.date, datetime.date]] = (),
) -> PartyAge:
    """Rule 12 (Điều lệ Đảng, Art. 6): whole months from the admission decision to `on`, minus the
    whole months of each period (start, end) without party activity, clipped to that span."""
    if on < decision_date:
        return PartyAge(0)
    total = full_months_between(decision_date, on)
    for start, end in inactive_periods:
        clipped_start, clipped_end = max(start, decision_date), min(end, on)
        if clipped_end > clipped_start:
            total -= full_months_between(clipped_start, clipped_end)
    return PartyAge(max(total, 0))


# --- rule 13: re-admission ----------------------------------------------------------------------

_R13 = _cite(
    13,
    f"kết nạp lại sau ít nhất {N.READMISSION_MIN_MONTHS} tháng kể từ khi ra khỏi Đảng, chỉ một lần, có văn "
    "bản đồng ý của ban thường vụ tỉnh ủy, thành ủy",
    N.STATUTE,
    N.QD_294,
)


def check_readmission(
    *,
    left_on: datetime.date,
    vote_date: datetime.date,
    times_readmitted_before: int = 0,
    provincial_consent: bool = False,
    exit_reason: str | None = None,
    convicted_less_serious_crime: bool = False,
    record_cleared_on: datetime.date | None = None,
) -> list[Finding]:
    """Rule 13. `exit_reason`: a key of `rule_numbers.NEVER_READMITTED_EXIT_REASONS` when one applies.
    `convicted_less_serious_crime`: the 60 months then run from the day the record was cleared."""
    findings = []
    if exit_reason in N.NEVER_READMITTED_EXIT_REASONS:
        findings.append(
            Finding(
                "R13_NEVER_READMITTED",
                Severity.BLOCKS,
                "Không xem xét kết nạp lại người đã ra khỏi Đảng vì lý do "
                f"{N.NEVER_READMITTED_EXIT_REASONS[exit_reason]} {_R13}",
                {"exit_reason": exit_reason},
            )
        )
    if times_readmitted_before >= N.READMISSION_MAX_TIMES:
        findings.append(
            Finding(
                "R13_ALREADY_READMITTED",
                Severity.BLOCKS,
                f"Người này đã được kết nạp lại {times_readmitted_before} lần; chỉ được kết nạp lại một lần {_R13}",
                {"times_readmitted_before": times_readmitted_before, "max_times": N.READMISSION_MAX_TIMES},
            )
        )
    if not provincial_consent:
        findings.append(
            Finding(
                "R13_NO_PROVINCIAL_CONSENT",
                Severity.BLOCKS,
                f"Chưa có văn bản đồng ý của ban thường vụ tỉnh ủy, thành ủy về việc kết nạp lại {_R13}",
                {},
            )
        )
    if vote_date < left_on:
        findings.append(_order_finding("resolution_date", vote_date, "left_on", left_on))
        return findings
    months = full_months_between(left_on, vote_date)
    if months < N.READMISSION_MIN_MONTHS:
        findings.append(
            Finding(
                "R13_TOO_SOON",
                Severity.BLOCKS,
                f"Ra khỏi Đảng ngày {fmt(left_on)}, đến ngày chi bộ xét ({fmt(vote_date)}) mới được {months} tháng; "
                f"cần ít nhất {N.READMISSION_MIN_MONTHS} tháng, tức từ ngày "
                f"{fmt(add_months(left_on, N.READMISSION_MIN_MONTHS))} {_R13}",
                {
                    "left_on": left_on.isoformat(),
                    "vote_date": vote_date.isoformat(),
                    "months": months,
                    "min_months": N.READMISSION_MIN_MONTHS,
                },
            )
        )
    if convicted_less_serious_crime:
        findings += _check_cleared_record(record_cleared_on, vote_date)
    return findings


def _check_cleared_record(record_cleared_on: datetime.date | None, vote_date: datetime.date) -> list[Finding]:
    cite = _cite(
        13,
        f"người bị án hình sự về tội ít nghiêm trọng phải sau {N.READMISSION_AFTER_CLEARED_RECORD_MONTHS} tháng "
        "kể từ khi được xóa án tích",
        N.QD_294,
    )
    if record_cleared_on is None:
        return [Finding("R13_RECORD_NOT_CLEARED", Severity.BLOCKS, f"Chưa ghi ngày được xóa án tích {cite}", {})]
    months = full_months_between(record_cleared_on, vote_date) if vote_date >= record_cleared_on else 0
    if months >= N.READMISSION_AFTER_CLEARED_RECORD_MONTHS:
        return []
    return [
        Finding(
            "R13_TOO_SOON_AFTER_RECORD_CLEARED",
            Severity.BLOCKS,
            f"Được xóa án tích ngày {fmt(record_cleared_on)}, đến ngày chi bộ xét ({fmt(vote_date)}) mới được "
            f"{months} tháng {cite}",
            {
                "record_cleared_on": record_cleared_on.isoformat(),
                "months": months,
                "min_months": N.READMISSION_AFTER_CLEARED_RECORD_MONTHS,
            },
        )
    ]


# --- rule 14: age of the dossier papers ---------------------------------------------------------

_R14 = _cite(
    "14, chưa chắc chắn",
    f"đơn, lý lịch, giấy giới thiệu quá {N.DOSSIER_PAPER_MAX_AGE_MONTHS} tháng đến ngày chi bộ xét phải làm lại",
    N.HD_01,
)


def check_dossier_paper_age(*, vote_date: datetime.date, papers: Mapping[str, datetime.date | None]) -> list[Finding]:
    """Rule 14 (warns). `papers`: Vietnamese name of each paper (e.g. "Đơn xin vào Đảng") to its date."""
    findings = []
    for name, dated in papers.items():
        if dated is None:
            continue
        if vote_date < dated:
            findings.append(
                Finding(
                    "DATE_ORDER",
                    Severity.BLOCKS,
                    f"{name} đề ngày {fmt(dated)}, sau ngày chi bộ xét kết nạp ({fmt(vote_date)}); kiểm tra lại "
                    "ngày đã nhập.",
                    {"field": name, "date": dated.isoformat(), "vote_date": vote_date.isoformat()},
                )
            )
            continue
        months = full_months_between(dated, vote_date)
        if add_months(dated, N.DOSSIER_PAPER_MAX_AGE_MONTHS) < vote_date:
            findings.append(
                Finding(
                    "R14_PAPER_TOO_OLD",
                    Severity.WARNS,
                    f"{name} đề ngày {fmt(dated)}, đến ngày chi bộ xét ({fmt(vote_date)}) đã quá "
                    f"{N.DOSSIER_PAPER_MAX_AGE_MONTHS} tháng; nên làm lại {_R14}",
                    {
                        "paper": name,
                        "dated": dated.isoformat(),
                        "vote_date": vote_date.isoformat(),
                        "months": months,
                        "max_months": N.DOSSIER_PAPER_MAX_AGE_MONTHS,
                    },
                )
            )
    return findings
