"""The import applies the entry rule of members/validation.py to every text cell: a control,
bidirectional or zero-width character is refused on its row, naming the column, the code point and
the rule; a line break typed in a cell is a space; the report shows the hidden character visibly."""

import pytest

from members.models import Person
from reports.imports import cells
from reports.imports.columns import MEMBERS, ORGANISATIONS
from reports.imports.marked import line
from reports.imports.service import import_workbook
from tests.reports.imports.test_import_engine import NEW_CELL, member_row
from tests.reports.workbooks import workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Nguyễn\u200b Văn An", "U+200B ZERO WIDTH SPACE"),
        ("Nguyễn Văn \u202eAn", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("Nguyễn Văn\x1f An", "U+001F"),
        ("Nguyễn Văn An\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ],
)
def test_parse_text_refuses_a_hidden_character(text, named):
    with pytest.raises(cells.CellError) as refused:
        cells.parse_text(text, 120)
    assert refused.value.message == f"Có ký tự điều khiển hoặc ký tự ẩn ({named}); hãy gõ lại."
    assert refused.value.rule == cells.RULE_HIDDEN
    with pytest.raises(cells.CellError):
        cells.parse_code(text.replace(" ", ""), 32)


def test_line_breaks_in_a_cell_become_spaces():
    assert cells.parse_text("Nguyễn Văn\nAn\r\n", 120) == "Nguyễn Văn An"
    assert cells.parse_text("Nguyễn\tVăn An", 120) == "Nguyễn Văn An"


def test_the_report_shows_a_hidden_character_by_its_code_point():
    assert cells.shown("An\u202eNa") == "An[U+202E]Na"
    assert cells.shown("Nguyễn Văn An") == "Nguyễn Văn An"


def test_an_import_refuses_the_row_naming_column_character_and_rule(cast):
    rows = [member_row(1), member_row(2, full_name="Nguyễn Văn Thành\u200b 1", citizen_id=None)]
    result = import_workbook(
        workbook_bytes({ORGANISATIONS: [NEW_CELL], MEMBERS: rows}), user=cast.commune_board, dry_run=True
    )
    assert not result.ok
    [issue] = [i for i in result.issues if i.rule == cells.RULE_HIDDEN]
    assert (issue.sheet, issue.row, issue.column) == (MEMBERS.title, 3, "Họ và tên")
    assert issue.value == "Nguyễn Văn Thành[U+200B] 1"
    assert line(issue) == (
        "Cột Họ và tên: Có ký tự điều khiển hoặc ký tự ẩn (U+200B ZERO WIDTH SPACE); hãy gõ lại. "
        "(Không có ký tự điều khiển hoặc ký tự ẩn)"
    )


def test_the_same_name_with_a_zero_width_space_cannot_be_imported_beside_it(cast):
    """Without a citizen ID, people are matched by name and date of birth: a zero-width space would
    have made a second person of the first; the row is refused instead and nothing is written."""
    twin = member_row(1, citizen_id=None, full_name="Nguyễn\u200b Văn Thành 1")
    before = Person.objects.count()
    result = import_workbook(
        workbook_bytes({ORGANISATIONS: [NEW_CELL], MEMBERS: [member_row(1), twin]}), user=cast.commune_board
    )
    assert not result.ok
    assert any("U+200B" in i.message for i in result.issues)
    assert Person.objects.count() == before
