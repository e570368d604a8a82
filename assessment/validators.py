"""Upload checks for supporting documents and photos: PDF, JPEG or PNG, at most 10 MB."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


def validate_upload(file) -> None:
    """Refuse files that are not PDF/JPG/PNG by extension and content, or larger than 10 MB."""
    name = getattr(file, "name", "") or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in _SIGNATURES:
        raise ValidationError(
            _("文件“%(name)s”类型不支持：只接受 PDF、JPG、PNG 文件。"),
            params={"name": name},
            code="file_type",
        )
    size = getattr(file, "size", 0) or 0
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("文件“%(name)s”超过 10 MB（%(mb).1f MB）。"),
            params={"name": name, "mb": size / 1024 / 1024},
            code="file_size",
        )
    if size == 0:
        raise ValidationError(_("文件“%(name)s”是空文件。"), params={"name": name}, code="file_empty")
    pos = file.tell() if hasattr(file, "tell") else None
    file.seek(0)
    head = file.read(8)
    if pos is not None:
        file.seek(pos)
    if not any(head.startswith(sig) for sig in _SIGNATURES[ext]):
        raise ValidationError(
            _("文件“%(name)s”的内容与扩展名不符。"), params={"name": name}, code="file_content"
        )
