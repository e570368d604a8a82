"""Field parsers shared by the benefits imports."""

from ltci.core.dates import parse_iso_date
from ltci.core.idnumber import InvalidIdNumber, parse_id_number


def national_id(text: str) -> str:
    try:
        return parse_id_number(text).number
    except InvalidIdNumber as exc:
        raise ValueError(f"'{text}' is not a valid ID number: {exc}") from None


def iso_date(text: str):
    return parse_iso_date(text)


def boolean(text: str) -> bool:
    value = text.strip().lower()
    if value in {"true", "1", "yes"}:
        return True
    if value in {"false", "0", "no"}:
        return False
    raise ValueError(f"'{text}' is not true or false")


def unknown_person(row: int, number: str):
    from ltci.core.importing import RowError

    return RowError(row, "national_id", f"no insured person with ID number {number}")


def persons_by_national_id(numbers):
    from enrollment.models import Person

    return {p.national_id: p for p in Person.objects.filter(national_id__in=set(numbers))}
