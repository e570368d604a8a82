"""File downloads: documents (PDF), exports and error reports (CSV), stored uploads."""
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header


def attachment(content, filename: str, content_type: str = "application/pdf") -> HttpResponse:
    """Return ``content`` as a download named ``filename`` (non-ASCII names encoded per RFC 6266)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


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
