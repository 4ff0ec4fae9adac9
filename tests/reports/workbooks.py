"""Hand-made import workbooks for the tests: rows given by column key, headers from the format."""

import io

import openpyxl

from reports.imports.columns import SheetSpec


def workbook_bytes(sheets: dict[SheetSpec, list[dict]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for spec, rows in sheets.items():
        sheet = book.create_sheet(spec.title)
        sheet.append(spec.headers)
        for row in rows:
            unknown = set(row) - {c.key for c in spec.columns}
            assert not unknown, f"not columns of {spec.title}: {unknown}"
            sheet.append([row.get(c.key) for c in spec.columns])
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()
