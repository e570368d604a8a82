"""Row errors and field parsing shared by the SPEC 11 imports: every problem of a row, in the user's language.

A row is parsed with a RowCheck: each field is read whatever happened to the others, every problem is
collected (row, field, reason), and ``done()`` raises them together as RowProblems (issue 14: "the error
report lists every problem of a row, not only the first"). Reasons are translatable strings (Chinese by
default, English when the active language is English); codes are shown with their labels.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .formatting import coded


@dataclass
class RowError(Exception):
    """One problem of one row: the SPEC 11 error report's (row, field, reason)."""

    row: int
    field: str
    reason: str
    labelled: bool = False  # the reason already names the field (labelled_reason)
    label: str = ""  # the field's column name (labelled_reason), for the report's field column on pages

    @property
    def field_shown(self) -> str:
        """The field as the import page's report shows it: 公民身份号码（national_id）."""
        return coded(self.field, self.label)

    def __str__(self):
        if self.labelled:
            return _("第 %(row)s 行，%(reason)s") % {"row": self.row, "reason": self.reason}
        return _("第 %(row)s 行，%(field)s：%(reason)s") % {
            "row": self.row,
            "field": self.field,
            "reason": self.reason,
        }

    @property
    def problems(self) -> list["RowError"]:
        return [self]


class RowProblems(RowError):
    """Every problem of one row; row/field/reason are the first one's (for callers that show one)."""

    def __init__(self, problems: Iterable[RowError], parsed: Mapping[str, object] | None = None):
        self.all = list(problems)
        self.parsed = dict(parsed or {})  # the fields that did parse (their references are checked too)
        first = self.all[0]
        super().__init__(first.row, first.field, first.reason)

    @property
    def problems(self) -> list[RowError]:
        return self.all


def required_message() -> str:
    return _("必须填写")


def choice_parser(choices: Iterable[tuple[str, object]], *, lower: bool = False) -> Callable[[str], str]:
    """A parser accepting one of the codes of ``choices`` ((code, label) pairs, e.g. TextChoices.choices)."""
    pairs = list(choices)

    def parse(text: str) -> str:
        value = text.strip().lower() if lower else text.strip()
        if value not in {code for code, _label in pairs}:
            raise ValueError(
                _("不是允许的值（填写的是 %(text)s；允许：%(allowed)s）")
                % {"text": text.strip(), "allowed": shown_choices(pairs)}
            )
        return value

    return parse


def codes_parser(choices: Iterable[tuple[str, object]]) -> Callable[[str], tuple[str, ...]]:
    """A parser of semicolon-separated codes of ``choices`` (each code once, in the given order)."""
    pairs = list(choices)
    known = {code for code, _label in pairs}

    def parse(text: str) -> tuple[str, ...]:
        codes = [c.strip() for c in text.replace("；", ";").split(";") if c.strip()]
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValueError(
                _("有未知的代码 %(codes)s（允许：%(allowed)s，用分号分隔）")
                % {"codes": "、".join(unknown), "allowed": shown_choices(pairs)}
            )
        return tuple(dict.fromkeys(codes))

    return parse


def shown_choices(pairs: Iterable[tuple[str, object]]) -> str:
    """The allowed codes, each after its label: 职工医保（employee）、居民医保（resident）."""
    return _("、").join(coded(code, str(label)) for code, label in pairs)


def bool_parser(*, lenient: bool = False) -> Callable[[str], bool]:
    """true|false (case-insensitive); ``lenient`` also accepts 1|0 and yes|no."""
    trues = {"true", "1", "yes"} if lenient else {"true"}
    falses = {"false", "0", "no"} if lenient else {"false"}

    def parse(text: str) -> bool:
        value = text.strip().lower()
        if value in trues | falses:
            return value in trues
        raise ValueError(_("须为 是（true）或 否（false）（填写的是 %(text)s）") % {"text": text})

    return parse


def text_parser(max_length: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if len(text) > max_length:
            raise ValueError(_("超过 %(n)s 个字符") % {"n": max_length})
        return text

    return parse


class RowCheck:
    """Collect every problem of one row while its fields are parsed."""

    def __init__(self, row: int, values: dict[str, str]):
        self.row = row
        self.values = values
        self.errors: list[RowError] = []
        self.parsed: dict[str, object] = {}

    def text(self, name: str) -> str:
        return (self.values.get(name) or "").strip()

    def get(self, name: str, parser: Callable[[str], object], *, required: bool = True):
        """The parsed field, or None (empty and not required, or a problem recorded for it)."""
        text = self.text(name)
        if not text:
            if required:
                self.error(name, required_message())
            return None
        try:
            value = parser(text)
        except ValueError as exc:
            self.error(name, str(exc))
            return None
        self.parsed[name] = value
        return value

    def error(self, name: str, reason: str) -> None:
        self.errors.append(RowError(self.row, name, reason))

    def failed(self, *names: str) -> bool:
        """True when any of these fields has a problem recorded (skip the checks that need them)."""
        return any(e.field in names for e in self.errors)

    def done(self) -> None:
        """Raise every problem recorded (RowProblems); return when the row is valid."""
        if self.errors:
            raise RowProblems(self.errors, self.parsed)


@dataclass(frozen=True)
class Reference:
    """A field naming a record that must exist (issue 14: reported even when other fields of the row fail).

    ``lookup`` is the set-based query the import's apply step uses too ({key: record} of the keys that
    exist, one query); ``message`` the reason the apply step gives for a key that does not exist; ``key``
    the lookup key of a parsed value (the parser may return an object, e.g. an IdNumber).
    """

    field: str
    lookup: Callable[[set[str]], Mapping[str, object]]
    message: Callable[[str], str]
    key: Callable[[object], str] = str


def reference_problems(failed: Iterable[RowProblems], references: Iterable[Reference]) -> list[RowError]:
    """The unknown references among the parsed fields of rows that failed parsing: one query per reference.

    A row that parses has its references checked by the apply step (with the same lookup and message).
    """
    failed = list(failed)
    problems: list[RowError] = []
    for ref in references:
        wanted: dict[str, list[int]] = {}
        for row in failed:
            if ref.field in row.parsed and not any(e.field == ref.field for e in row.all):
                key = ref.key(row.parsed[ref.field])
                if key:
                    wanted.setdefault(key, []).append(row.row)
        if not wanted:
            continue
        known = ref.lookup(set(wanted))
        problems += [
            RowError(row, ref.field, ref.message(key))
            for key, rows in wanted.items()
            if key not in known
            for row in rows
        ]
    return problems


def labelled_reason(error: RowError, labels: dict[str, str]) -> RowError:
    """The error with its field's Chinese column name and code in front of the reason."""
    label = labels.get(error.field)
    if not label or error.labelled:
        return error
    return RowError(
        error.row,
        error.field,
        _("「%(label)s（%(code)s）」：%(reason)s")
        % {"label": label, "code": error.field, "reason": error.reason},
        labelled=True,
        label=label,
    )


def unknown_person_message(number: str) -> str:
    return _("没有公民身份号码为 %(id)s 的参保人（不在参保名册中）") % {"id": number}


def unknown_institution_message(code: str) -> str:
    return _("没有编码为 %(code)s 的机构") % {"code": code}


def duplicate_message(first_row: int) -> str:
    return _("与第 %(row)s 行重复") % {"row": first_row}
