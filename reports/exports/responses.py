"""The HTTP response of a workbook download, shared by the exports, the imports and the reconciliation.

The workbook is written to a temporary file and streamed from it (FileResponse), so a large subtree
is never held in memory as both the workbook and the response.
"""

import tempfile

from django.http import FileResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_response(workbook, filename: str) -> FileResponse:
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)
