"""The period a progress page is asked for: `?ky=2026` (any periods.parse key) or a custom `?tu=..&den=..`.

Shared by the dashboard and the progress downloads, which read the same stored report for it.
"""

from django.utils.translation import gettext as _

from . import periods

# The longest custom range the dashboard accepts: two terms.
LONGEST_CUSTOM_DAYS = 2 * periods.TERM_YEARS * 366


def period_from_request(request, default: periods.Period) -> tuple[periods.Period, str]:
    """The period asked for (`ky`, or a custom `tu`..`den`), else the default with the reason."""
    start, end = request.GET.get("tu", "").strip(), request.GET.get("den", "").strip()
    key = f"{start}..{end}" if start and end else request.GET.get("ky", "").strip()
    if not key:
        return default, ""
    try:
        period = periods.parse(key)
    except periods.PeriodError as error:
        return default, str(error)
    if period.days > LONGEST_CUSTOM_DAYS:
        return default, _("Khoảng thời gian quá dài; hãy chọn tối đa hai nhiệm kỳ.")
    return period, ""
