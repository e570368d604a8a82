"""PDF documents (SPEC 10) with WeasyPrint: one print stylesheet, a CJK font, byte-identical re-issues.

    from ltci.core.pdf import render_pdf
    pdf_bytes = render_pdf("documents/conclusion_notice.html", {"document_no": ..., "issued_at": ...})

Every document template extends ``documents/base.html`` (which sets the PDF metadata from the context:
``title``, ``document_no`` and ``issued_at``, an aware datetime or date taken from the record, never
"now") and is styled by ``templates/documents/print.css``. Every document carries the issuing office
(``settings.LTCI_OFFICE``: authority, name, address, phone and seal image, issue 16) as ``office``: its name and
address head every page, its seal stands by the signature. Nothing is fetched from the network: only files
under ``templates/documents/`` and the configured seal can be referenced. The same template and context give
the same bytes.
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


def _seal_path() -> Path:
    return Path(settings.LTCI_OFFICE["seal"]).resolve()


def office() -> dict:
    """The issuing office as the documents show it (settings.LTCI_OFFICE, env-configurable)."""
    seal = _seal_path()
    return {**settings.LTCI_OFFICE, "seal_url": seal.as_uri() if seal.is_file() else ""}


def _local_only():
    """A fetcher of only the files inside templates/documents and the office's seal; any other URL stops the
    rendering (a PdfError behind WeasyPrint's fatal fetching error)."""
    from weasyprint.urls import URLFetcher

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file://"):
                path = Path(url[len("file://") :]).resolve()
                if DOCUMENTS_DIR.resolve() in path.parents or path == _seal_path():
                    return super().fetch(url, headers)
            raise PdfError(f"PDF templates may only use files in templates/documents (refused {url[:80]})")

    return LocalFetcher(allowed_protocols=["file"], fail_on_errors=True)


def render_pdf(template: str, context: dict) -> bytes:
    """Render a document template to PDF bytes in Chinese, deterministic for the same context."""
    from weasyprint import CSS, HTML

    with translation.override("zh-hans"):
        html = render_to_string(template, {**context, "office": office()})
    document = HTML(string=html, base_url=str(DOCUMENTS_DIR) + "/", url_fetcher=_local_only())
    return document.write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS))])
