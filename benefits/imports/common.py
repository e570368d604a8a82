"""Field parsers shared by the benefits imports."""

from enrollment.selectors import person_reference, persons_by_national_id
from ltci.core.dates import parse_iso_date
from ltci.core.idnumber import parse_id_number
from ltci.core.import_fields import RowError, bool_parser, unknown_person_message


def national_id(text: str) -> str:
    return parse_id_number(text).number


def iso_date(text: str):
    return parse_iso_date(text)


boolean = bool_parser(lenient=True)
PERSON = person_reference()

__all__ = ["PERSON", "boolean", "iso_date", "national_id", "persons_by_national_id", "unknown_person"]


def unknown_person(row: int, number: str) -> RowError:
    return RowError(row, "national_id", unknown_person_message(number))
