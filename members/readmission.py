"""Rule 13, re-admission (docs/domain.md §3): the numbers and the check the member pages apply.

The numbers live here, the lowest layer, so the admission rules (recruitment/rule_numbers.py
re-exports them) and the member roll read the same ones: a committee corrects them in one place.
"""

import calendar
import datetime

from django.utils.translation import gettext as _

# QĐ 294-QĐ/TW point 3.5.1 (QĐ 24 point 3.5.1 before it): at least 36 months after leaving;
# 60 months after the criminal record is cleared for a less serious crime; written consent of the
# provincial standing committee; once only (point 3.5.3).
READMISSION_MIN_MONTHS = 36
READMISSION_AFTER_CLEARED_RECORD_MONTHS = 60
READMISSION_MAX_TIMES = 1
# QĐ 294 point 3.5.2: reasons for leaving that bar re-admission for good. Codes are what a caller
# records; labels go into messages.
NEVER_READMITTED_EXIT_REASONS: dict[str, str] = {
    "abandoned_activity": "tự bỏ sinh hoạt đảng",
    "asked_to_leave": "tự nguyện làm đơn xin ra khỏi Đảng (trừ trường hợp vì lý do gia đình đặc biệt khó khăn)",
    "serious_disunity": "gây mất đoàn kết nội bộ nghiêm trọng",
    "convicted_corruption": "bị kết án về tội tham nhũng",
    "convicted_serious_crime": "bị kết án về tội phạm nghiêm trọng trở lên",
}
CITATION = "Điều lệ Đảng; Quy định 294-QĐ/TW"


def add_months(d: datetime.date, months: int) -> datetime.date:
    """`d` moved by whole months; a day the target month lacks becomes its last day (as recruitment/rules.py)."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def earliest_readmission(left_on: datetime.date) -> datetime.date:
    return add_months(left_on, READMISSION_MIN_MONTHS)


def readmission_problems(
    *,
    left_on: datetime.date | None,
    on: datetime.date,
    times_readmitted_before: int,
    provincial_consent: bool,
    exit_reason: str = "",
) -> list[str]:
    """Every reason the member cannot be re-admitted on `on`, in Vietnamese, each citing rule 13."""
    cite = _("(quy tắc 13: kết nạp lại sau ít nhất %(n)d tháng kể từ khi ra khỏi Đảng, chỉ một lần; %(doc)s)") % {
        "n": READMISSION_MIN_MONTHS,
        "doc": CITATION,
    }
    problems = []
    if exit_reason in NEVER_READMITTED_EXIT_REASONS:
        problems.append(
            _("Không xem xét kết nạp lại người đã ra khỏi Đảng vì lý do %(reason)s %(cite)s")
            % {"reason": NEVER_READMITTED_EXIT_REASONS[exit_reason], "cite": cite}
        )
    if times_readmitted_before >= READMISSION_MAX_TIMES:
        message = _("Người này đã được kết nạp lại một lần; chỉ được kết nạp lại một lần %(cite)s")
        problems.append(message % {"cite": cite})
    if not provincial_consent:
        message = _("Chưa có văn bản đồng ý của ban thường vụ tỉnh ủy, thành ủy về việc kết nạp lại %(cite)s")
        problems.append(message % {"cite": cite})
    if left_on is not None:
        earliest = earliest_readmission(left_on)
        if on < earliest:
            problems.append(
                _("Ra khỏi Đảng ngày %(left)s; chỉ được kết nạp lại từ ngày %(earliest)s %(cite)s")
                % {"left": left_on.strftime("%d/%m/%Y"), "earliest": earliest.strftime("%d/%m/%Y"), "cite": cite}
            )
    return problems
