"""Excel export shared by every report and list: one sheet, a bold header,
sensible column widths, served as a download."""

from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_bytes(title, headers, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = str(title)[:31]
    sheet.append([str(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) for h in headers]
    for row in rows:
        sheet.append(list(row))
        widths = [
            max(w, len(str(v)) if v is not None else 0) for w, v in zip(widths, row, strict=False)
        ]
    for i, width in enumerate(widths, start=1):
        # CJK characters are about twice as wide as Latin ones.
        sheet.column_dimensions[get_column_letter(i)].width = min(60, width * 2 + 2)
    sheet.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(filename, title, headers, rows) -> HttpResponse:
    response = HttpResponse(workbook_bytes(title, headers, rows), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
