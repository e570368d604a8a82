"""PDF documents (SPEC 10) with WeasyPrint: one print stylesheet, a CJK font, byte-identical re-issues.

    from ltci.core.pdf import render_pdf
    pdf_bytes = render_pdf("documents/conclusion_notice.html", {"document_no": ..., "issued_at": ...})

Every document template extends ``documents/base.html`` (which sets the PDF metadata from the context:
``title``, ``document_no`` and ``issued_at``, an aware datetime or date taken from the record, never
"now") and is styled by ``templates/documents/print.css``. Nothing is fetched from the network: only
files under ``templates/documents/`` can be referenced. The same template and context give the same bytes.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

DOCUMENTS_DIR = Path(settings.BASE_DIR) / "templates" / "documents"
PRINT_CSS = DOCUMENTS_DIR / "print.css"
FONT_FAMILY = "Noto Sans CJK SC"


class PdfError(RuntimeError):
    """A document could not be rendered."""


def _local_only(url: str, *args, **kwargs):
    """Fetch only files inside templates/documents; refuse any other URL."""
    from weasyprint import default_url_fetcher

    if url.startswith("file://"):
        path = Path(url[len("file://") :]).resolve()
        if DOCUMENTS_DIR.resolve() in path.parents:
            return default_url_fetcher(url, *args, **kwargs)
    raise PdfError(f"PDF templates may only use files in templates/documents (refused {url[:80]})")


def render_pdf(template: str, context: dict) -> bytes:
    """Render a document template to PDF bytes in Chinese, deterministic for the same context."""
    from weasyprint import CSS, HTML

    with translation.override("zh-hans"):
        html = render_to_string(template, context)
    document = HTML(string=html, base_url=str(DOCUMENTS_DIR) + "/", url_fetcher=_local_only)
    return document.write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS))])
