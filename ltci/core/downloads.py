"""File downloads: documents (PDF), exports and error reports (CSV)."""
from django.http import HttpResponse
from django.utils.http import content_disposition_header


def attachment(content, filename: str, content_type: str = "application/pdf") -> HttpResponse:
    """Return ``content`` as a download named ``filename`` (non-ASCII names encoded per RFC 6266)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
