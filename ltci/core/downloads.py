"""File downloads: documents (PDF), exports and error reports (CSV)."""
import csv
import io

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from .exports import csv_text


def attachment(content, filename: str, content_type: str = "application/pdf") -> HttpResponse:
    """Return ``content`` as a download named ``filename`` (non-ASCII names encoded per RFC 6266)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def import_errors_attachment(batches, filename: str) -> HttpResponse:
    """The error reports of import batches (row, field, reason; a refused file as one line with field *) as one
    spreadsheet-safe CSV, UTF-8 with a BOM (SPEC 11). Several batches get a leading batch column."""
    many = len(batches) > 1
    rows = [(["batch"] if many else []) + ["row", "field", "reason"]]
    for batch in batches:
        body = list(csv.reader(io.StringIO(batch.error_report)))[1:] if batch.error_report else []
        if batch.file_error:
            body.insert(0, ["", "*", batch.file_error])
        rows += [([batch.pk] if many else []) + row for row in body]
    return attachment(csv_text(rows, bom=True, lineterminator="\r\n"), filename, "text/csv; charset=utf-8")
