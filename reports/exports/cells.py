"""Cells written as what they are: text as text, numbers and dates as numbers and dates.

Every workbook PartyHub writes (the exports, the import template and the import-format export, the
marked workbook, the reconciliation) puts its values into cells through these functions, never by
assigning a string to `cell.value` or appending it to a sheet as it is: openpyxl takes a string
beginning with "=" for a formula (and "#N/A", "#REF!"... for error values), so a person named
`=HYPERLINK("http://x","y")` would become a live formula in the file. A string here is always a
string cell (`t="inlineStr"`, no `<f>` element), shown as typed and never evaluated.

Strings beginning with "+", "-", "@", a tab or a carriage return are the other triggers of "CSV
injection"; they only matter where a program parses plain text into cells (a .csv opened in Excel).
In an .xlsx the cell's type is stored in the file: a string cell stays a string whatever it starts
with, so they need no escaping here, and no quote or apostrophe is added that would change the value
a round trip through the import reads back.
"""

from django.utils.functional import Promise
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.utils.exceptions import IllegalCharacterError

# Shown in place of a character XML cannot hold (a control character of a value stored before the
# entry rules refused them), rather than failing the whole export.
REPLACEMENT = "\ufffd"


def set_value(cell: Cell, value) -> Cell:
    """`cell.value = value`, except that a string (or lazy translation) is always a string cell."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        try:
            cell.value = value
        except IllegalCharacterError:
            cell.value = ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def put(ws, row: int, column: int, value=None) -> Cell:
    """`ws.cell(row=..., column=..., value=...)` of a normal worksheet, through `set_value`."""
    cell = ws.cell(row=row, column=column)
    if value is not None:
        set_value(cell, value)
    return cell


def write_only(ws, value=None, *, number_format=None, font=None, fill=None, alignment=None) -> Cell:
    """A cell for `ws.append` on a write-only worksheet, through `set_value`, styled as asked."""
    cell = set_value(WriteOnlyCell(ws), value)
    if number_format:
        cell.number_format = number_format
    if font:
        cell.font = font
    if fill:
        cell.fill = fill
    if alignment:
        cell.alignment = alignment
    return cell


def row(ws, values) -> list:
    """A row for `ws.append` on a write-only worksheet: every string in a string cell; cells already
    made, numbers, dates and None (an empty cell) as they are."""
    return [write_only(ws, v) if isinstance(v, (str, Promise)) else v for v in values]
