"""Limits of the SPEC 11 file imports (issue 13, finding 6): bytes, unzipped bytes of an XLSX, data rows.

The values are settings (ltci/settings/base.py, "Upload and import limits"). A door sets the limits it allows
with ``import_limits(...)``: the web uploads the web limits, the command line and services called directly
the command-line limits (the default). Every refusal is a FileError: the file is refused whole, nothing changes.
"""

import io
import zipfile
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

MEMBER_RATIO_FROM = 1024 * 1024  # the compression ratio is checked on members unzipping to more than this
MAX_MEMBERS = 1000  # an XLSX of one sheet has about ten


class FileError(ValueError):
    """The file as a whole cannot be read (encoding, header, empty, over a limit)."""


@dataclass(frozen=True)
class ImportLimits:
    max_bytes: int
    max_uncompressed_bytes: int
    max_rows: int

    @classmethod
    def command(cls) -> "ImportLimits":
        return cls(
            settings.IMPORT_MAX_BYTES, settings.IMPORT_MAX_UNCOMPRESSED_BYTES, settings.IMPORT_MAX_ROWS
        )

    @classmethod
    def web(cls) -> "ImportLimits":
        return cls(
            settings.IMPORT_WEB_MAX_BYTES,
            settings.IMPORT_WEB_MAX_UNCOMPRESSED_BYTES,
            settings.IMPORT_WEB_MAX_ROWS,
        )


_current: ContextVar[ImportLimits | None] = ContextVar("ltci_import_limits", default=None)


@contextmanager
def import_limits(limits: ImportLimits):
    token = _current.set(limits)
    try:
        yield limits
    finally:
        _current.reset(token)


def current_limits() -> ImportLimits:
    return _current.get() or ImportLimits.command()


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def size_message(size: int, limits: ImportLimits) -> str:
    return _("文件大小 %(size)s MB，超过上限 %(max)s MB：请拆分文件后分别导入") % {
        "size": _mb(size),
        "max": _mb(limits.max_bytes),
    }


def check_size(size: int, limits: ImportLimits) -> None:
    if size > limits.max_bytes:
        raise FileError(size_message(size, limits))


def row_limit_message(max_rows: int) -> str:
    return _("文件超过 %(max)s 行数据：请拆分文件后分别导入") % {"max": f"{max_rows:,}"}


def xlsx_uncompressed_size(content: bytes) -> int | None:
    """The declared unzipped size of an XLSX (zipfile never unzips a member past its declared size), or None."""
    try:
        return sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(content)).infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def check_zip(content: bytes, limits: ImportLimits) -> None:
    """Refuse an XLSX whose members unzip beyond the limit or compress suspiciously well (a zip bomb), before
    openpyxl opens it."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileError(
            _("文件不是可读取的 XLSX 工作簿（%(type)s）") % {"type": exc.__class__.__name__}
        ) from None
    if len(infos) > MAX_MEMBERS:
        raise FileError(_("XLSX 文件包含 %(n)s 个部件，不是正常的工作簿") % {"n": len(infos)})
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise FileError(
            _("XLSX 文件解压后 %(size)s MB，超过上限 %(max)s MB：请拆分文件或另存为 CSV")
            % {"size": _mb(total), "max": _mb(limits.max_uncompressed_bytes)}
        )
    ratio = settings.IMPORT_MAX_COMPRESSION_RATIO
    for info in infos:
        if info.file_size > MEMBER_RATIO_FROM and info.file_size > ratio * max(info.compress_size, 1):
            raise FileError(
                _("XLSX 文件的 %(name)s 压缩比超过 %(ratio)s 倍，疑似压缩炸弹，拒绝读取")
                % {"name": info.filename[:60], "ratio": ratio}
            )
