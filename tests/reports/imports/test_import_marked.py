"""The marked workbook (reports/imports/marked.py): the upload handed back with its problems beside the rows."""

import io

import openpyxl

from reports.imports.columns import ORGANISATIONS, QUOTAS
from reports.imports.marked import ERROR_HEADER, REPORT_HEADERS, REPORT_TITLE, marked_workbook
from reports.imports.report import Issue


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _open(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


ORGS = [
    ORGANISATIONS.headers,
    ["X01", "Đảng bộ xã Một", "Đảng bộ xã/phường/đặc khu", None, None, "01/07/2025"],
    ["X01-CB1", "Chi bộ thôn Đông", "Chi bộ trực thuộc", None, "X01", "31/02/2024"],
    ["X01-CB2", "Chi bộ thôn Tây", "Chi bộ trực thuộc", None, "X01", None],
    ["X01-CB3", "Chi bộ thôn Nam", "Cấp lạ", None, "X09", None],
]
QUOTA_ROWS = [QUOTAS.headers, ["X01", "2026", "Cấp trên giao", "Kết nạp đảng viên", None, "Số cụ thể", 12]]
ISSUES = [
    Issue("", None, "", "", "Tệp có một trang tính lạ.", "Tên trang tính theo mẫu"),
    Issue("Tổ chức", 3, "Ngày thành lập", "31/02/2024", "Ngày 31/02/2024 không có trong lịch.", "Ngày dd/mm/yyyy"),
    Issue("Tổ chức", 5, "Cấp", "Cấp lạ", "“Cấp lạ” không có trong danh mục.", "Giá trị trong danh mục"),
    Issue("Tổ chức", 5, "Mã tổ chức cấp trên", "X09", "Không có tổ chức mã “X09”.", "Mã tổ chức phải có"),
    Issue("Tổ chức", 5, "", "", "Dòng bị từ chối.", ""),
    Issue("Chỉ tiêu", None, "", "", "Trang tính thiếu cột.", "Tiêu đề cột theo mẫu"),
]


def _column(ws, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def test_the_messages_go_in_a_lỗi_column_beside_the_right_rows():
    ws = _open(marked_workbook(_workbook({"Tổ chức": ORGS}), ISSUES))["Tổ chức"]
    errors = len(ORGANISATIONS.headers) + 1
    assert ws.cell(row=1, column=errors).value == ERROR_HEADER
    assert ws.cell(row=1, column=errors).font.bold
    assert ws.cell(row=3, column=errors).value == (
        "Cột Ngày thành lập: Ngày 31/02/2024 không có trong lịch. (Ngày dd/mm/yyyy)"
    )
    assert ws.cell(row=5, column=errors).value.split("\n") == [
        "Cột Cấp: “Cấp lạ” không có trong danh mục. (Giá trị trong danh mục)",
        "Cột Mã tổ chức cấp trên: Không có tổ chức mã “X09”. (Mã tổ chức phải có)",
        "Dòng bị từ chối.",
    ]
    assert ws.cell(row=2, column=errors).value is None
    assert ws.cell(row=4, column=errors).value is None
    assert ws.cell(row=3, column=1).value == "X01-CB1"  # the data is kept as it was


def test_only_the_offending_cells_are_filled_red():
    ws = _open(marked_workbook(_workbook({"Tổ chức": ORGS}), ISSUES))["Tổ chức"]
    red = {
        (cell.row, ws.cell(row=1, column=cell.column).value)
        for row in ws.iter_rows(min_row=2)
        for cell in row
        if cell.fill.fill_type == "solid"
    }
    assert red == {(3, "Ngày thành lập"), (5, "Cấp"), (5, "Mã tổ chức cấp trên")}


def test_a_sheet_without_row_problems_gets_no_lỗi_column():
    book = _open(marked_workbook(_workbook({"Tổ chức": ORGS, "Chỉ tiêu": QUOTA_ROWS}), ISSUES))
    assert ERROR_HEADER not in [c.value for c in book["Chỉ tiêu"][1]]


def test_the_report_sheet_comes_first_and_lists_every_problem():
    book = _open(marked_workbook(_workbook({"Tổ chức": ORGS, "Chỉ tiêu": QUOTA_ROWS}), ISSUES))
    assert book.sheetnames[0] == REPORT_TITLE
    assert book.active.title == REPORT_TITLE
    ws = book[REPORT_TITLE]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == REPORT_HEADERS
    assert [tuple(v if v is not None else "" for v in row) for row in rows[1:]] == [
        (i.sheet, "" if i.row is None else i.row, i.column, i.value, i.message, i.rule) for i in ISSUES
    ]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:F{len(ISSUES) + 1}"
    assert ws.cell(row=3, column=2).hyperlink.location == "'Tổ chức'!A3"


def test_a_value_typed_as_a_formula_is_reported_as_text_not_run():
    issue = Issue("Tổ chức", 2, "Tên tổ chức", '=HYPERLINK("http://x","y")', "Ô chứa công thức.", "Công thức")
    data = marked_workbook(_workbook({"Tổ chức": ORGS}), [issue])
    report = _open(data)[REPORT_TITLE]
    assert report.cell(row=2, column=4).data_type == "s"


def test_a_marked_workbook_marked_again_reuses_its_lỗi_column_and_clears_fixed_rows():
    once = marked_workbook(_workbook({"Tổ chức": ORGS}), ISSUES)
    twice = _open(marked_workbook(once, ISSUES[2:3]))
    ws = twice["Tổ chức"]
    assert [c.value for c in ws[1]].count(ERROR_HEADER) == 1
    errors = _column(ws, ERROR_HEADER)
    assert ws.cell(row=3, column=errors).value is None
    assert ws.cell(row=3, column=_column(ws, "Ngày thành lập")).fill.fill_type is None
    assert ws.cell(row=5, column=errors).value == "Cột Cấp: “Cấp lạ” không có trong danh mục. (Giá trị trong danh mục)"
    assert twice.sheetnames.count(REPORT_TITLE) == 1
    assert twice[REPORT_TITLE].max_row == 2


def test_a_csv_renamed_to_xlsx_gives_a_workbook_with_the_report_alone():
    csv = "Mã tổ chức,Tên tổ chức\nX01,Đảng bộ xã Một\n".encode()
    issue = Issue("", None, "", "", "Tệp không phải bảng tính Excel .xlsx.", "Tệp .xlsx hợp lệ")
    book = _open(marked_workbook(csv, [issue]))
    assert book.sheetnames == [REPORT_TITLE]
    assert [c.value for c in book[REPORT_TITLE][2]][4:] == [issue.message, issue.rule]


def test_a_file_past_the_size_limit_is_not_loaded(settings):
    settings.PARTYHUB_IMPORT_MAX_BYTES = 1000
    data = _workbook({"Tổ chức": ORGS * 20})
    assert len(data) > 1000
    assert _open(marked_workbook(data, ISSUES)).sheetnames == [REPORT_TITLE]
