"""File downloads: documents (PDF), exports and error reports (CSV), stored uploads."""

import csv
import io

from django.http import FileResponse, Http404, HttpResponse
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


def stored_file(field_file, filename: str) -> FileResponse:
    """Stream an uploaded file (a FieldFile) as a download named ``filename``; never rendered inline.

    Uploads are served only by views that check who may see them: MEDIA_URL is not served at all.
    """
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("file missing from storage") from None
    response = FileResponse(handle, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
