"""The audit page as .xlsx: every row the filters keep (up to MAX_ROWS), text written as text
(reports/exports/cells.py: a name beginning with "=" stays a name)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..exports import cells
from ..exports.xlsx import BOLD, TITLE_FONT
from . import changes, reads

# A file of more rows than this is cut, and says so on its last row: narrow the filters.
MAX_ROWS = 100_000
CHUNK = 1000
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None)


def _sheet(title: str, heading: str, headers: list, widths: list[int]):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.append([cells.write_only(ws, heading, font=TITLE_FONT)])
    ws.append([cells.write_only(ws, _("Xuất lúc %(t)s") % {"t": timezone.localtime().strftime("%H:%M %d/%m/%Y")})])
    ws.append([cells.write_only(ws, str(h), font=BOLD) for h in headers])
    return wb, ws


def _chunks(queryset):
    """The rows a chunk at a time (each chunk one query, and the completion's few)."""
    for start in range(0, MAX_ROWS, CHUNK):
        rows = list(queryset[start : min(start + CHUNK, MAX_ROWS)])
        if not rows:
            return
        yield rows
        if len(rows) < CHUNK:
            return


def _cut_note(ws, written: int) -> None:
    if written >= MAX_ROWS:
        ws.append([cells.write_only(ws, _("Chỉ xuất %(n)s dòng đầu: hãy thu hẹp bộ lọc.") % {"n": MAX_ROWS})])


def _user_name(user) -> str:
    return user.username if user is not None else _("(không rõ)")


def changes_xlsx(queryset) -> Workbook:
    headers = [_("Thời điểm"), _("Người thực hiện"), _("Loại"), _("Đối tượng"), _("Mã"), _("Thao tác")]
    headers += [_("Trường thay đổi"), _("Lý do")]
    wb, ws = _sheet(_("Thay đổi"), _("NHẬT KÝ THAY ĐỔI"), headers, [17, 18, 24, 32, 9, 8, 40, 40])
    written = 0
    for rows in _chunks(queryset) if queryset is not None else ():
        for c in changes.complete(rows):
            ws.append(
                [
                    cells.write_only(ws, _local(c.at), number_format=DATETIME_FORMAT),
                    cells.write_only(ws, _user_name(c.user)),
                    cells.write_only(ws, str(c.kind.label)),
                    cells.write_only(ws, c.label),
                    cells.write_only(ws, c.object_id),
                    cells.write_only(ws, str(c.action_label)),
                    cells.write_only(ws, ", ".join(c.fields)),
                    cells.write_only(ws, c.reason),
                ]
            )
            written += 1
    _cut_note(ws, written)
    return wb


def reads_xlsx(queryset) -> Workbook:
    headers = [_("Thời điểm"), _("Người xem"), _("Trang hoặc tệp"), _("Trường"), _("Người được xem")]
    headers += [_("Tổ chức (phạm vi)"), _("Số người")]
    wb, ws = _sheet(_("Lượt xem"), _("NHẬT KÝ XEM DỮ LIỆU NHẠY CẢM"), headers, [17, 18, 34, 34, 34, 28, 9])
    written = 0
    for rows in _chunks(queryset):
        for r in reads.complete(rows):
            ws.append(
                [
                    cells.write_only(ws, _local(r.at), number_format=DATETIME_FORMAT),
                    cells.write_only(ws, _user_name(r.user)),
                    cells.write_only(ws, str(r.where_label)),
                    cells.write_only(ws, ", ".join(r.field_labels)),
                    cells.write_only(ws, ", ".join(f"{name} (#{pk})" for pk, name in r.people_named)),
                    cells.write_only(ws, r.organisation.name if r.organisation else ""),
                    cells.write_only(ws, r.count),
                ]
            )
            written += 1
    _cut_note(ws, written)
    return wb
