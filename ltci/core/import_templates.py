"""Template files of the SPEC 11 imports (issue 14): the import's header row and one example row.

Each import offers two variants: Chinese column names (``zh``, the default) and the SPEC 11 column codes
(``en``); both are read back by the import (ltci.core.importing accepts either header). The file is CSV in
UTF-8 with a BOM, so that a spreadsheet program shows the Chinese correctly. The example row uses the demo
data where it can (docs/decisions.md).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.http import HttpResponse

from .exports import csv_text
from .idnumber import make_id_number

VARIANTS = ("zh", "en")
# The example persons of the templates: a roster row of the roster template, then used by the other ones.
EXAMPLE_PERSON = make_id_number("320302", dt.date(1960, 3, 8), 517)
EXAMPLE_CAREGIVER = make_id_number("320311", dt.date(1975, 6, 12), 226)


@dataclass(frozen=True)
class ImportFormat:
    """What a template shows of an import: its columns, their Chinese names and an example row."""

    name: str  # the command's name, e.g. import_roster
    columns: list[str]
    labels: dict[str, str]
    example: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """The ImportBatch kind of the import (its command's name without ``import_``)."""
        return self.name.removeprefix("import_")

    def header(self, variant: str = "zh") -> list[str]:
        return [self.labels.get(c, c) for c in self.columns] if variant == "zh" else list(self.columns)

    def shown_columns(self) -> list[str]:
        """Each column for the upload pages, its Chinese header name and its code: 公民身份号码（national_id）.
        In every language: both are names a file's header may use, shown as the file must spell them."""
        return [f"{self.labels[c]}（{c}）" if self.labels.get(c) else c for c in self.columns]

    def template_csv(self, variant: str = "zh") -> bytes:
        rows = [self.header(variant)]
        if self.example:
            rows.append([self.example.get(c, "") for c in self.columns])
        return csv_text(rows, bom=True, lineterminator="\r\n").encode("utf-8")

    def template_filename(self, variant: str = "zh") -> str:
        return f"{self.name}-template-{variant}.csv"


def template_response(request, fmt: ImportFormat) -> HttpResponse | None:
    """The template download asked by ``?template=zh|en`` on an upload page, or None (not asked).

    The caller is the upload page itself, so the download needs the upload's capability.
    """
    variant = request.GET.get("template")
    return None if variant is None else template_download(fmt, variant)


def template_download(fmt: ImportFormat, variant: str) -> HttpResponse:
    if variant not in VARIANTS:
        variant = "zh"
    response = HttpResponse(fmt.template_csv(variant), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{fmt.template_filename(variant)}"'
    return response
