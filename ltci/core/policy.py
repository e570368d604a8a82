"""Policy lookup (SPEC 2): the version in force on the date a calculation concerns."""

import datetime as dt
from decimal import Decimal

from django.conf import settings

from .models import PolicyRecord, PolicyScheme


class PolicyError(Exception):
    """A calculation needs a policy value that is not available."""


class NoPolicyInForce(PolicyError):
    pass


class PolicyNotEntered(PolicyError):
    pass


def active_scheme() -> PolicyScheme:
    scheme = PolicyScheme.objects.filter(active=True).first()
    if scheme is None:
        raise NoPolicyInForce(
            "no policy scheme is loaded: run `python manage.py load_policy "
            f"{settings.LTCI_DEFAULT_POLICY_PACK}` first"
        )
    return scheme


def _find(kind: str, key: str, on: dt.date, scheme: PolicyScheme):
    return PolicyRecord.objects.in_force(on).filter(scheme=scheme, kind=kind, key=key).first()


def _not_entered(kind: str, key: str, scheme: PolicyScheme, on: dt.date) -> PolicyNotEntered:
    return PolicyNotEntered(
        f"policy standard '{kind}' [{key}] of scheme {scheme.code} in force on {on.isoformat()} "
        "has not been entered yet: staff must enter it in the admin (政策参数) before this calculation"
    )


def _none_in_force(kind: str, key: str, scheme: PolicyScheme, on: dt.date) -> NoPolicyInForce:
    return NoPolicyInForce(
        f"no policy in force: '{kind}' [{key}] on {on.isoformat()} in scheme {scheme.code}"
    )


def policy_record(
    kind: str,
    *,
    on: dt.date,
    key: str = "*",
    scheme: PolicyScheme | None = None,
    fallback_keys: tuple[str, ...] = (),
) -> PolicyRecord:
    """Return the record in force for kind/key on a date, trying fallback keys in order, then '*'.

    A record left for staff (null value) raises PolicyNotEntered naming it.
    """
    scheme = scheme or active_scheme()
    keys = (key, *fallback_keys, "*") if key != "*" else ("*",)
    for candidate in dict.fromkeys(keys):
        record = _find(kind, candidate, on, scheme)
        if record is not None:
            if record.value is None:
                raise _not_entered(kind, candidate, scheme, on)
            return record
    raise _none_in_force(kind, key, scheme, on)


def policy_periods(
    kind: str, *, start: dt.date, end: dt.date, key: str = "*", scheme: PolicyScheme | None = None
) -> list[tuple[dt.date, dt.date, "PolicyValue"]]:
    """Return the values of kind/key in force over [start, end] as (first, last, value) periods covering
    every day of the range, in one query: ``policy_in_force`` for each day of a range.

    Raise NoPolicyInForce naming the first day without a record, PolicyNotEntered naming a record left for
    staff, as ``policy_record`` does for that day.
    """
    scheme = scheme or active_scheme()
    records = PolicyRecord.objects.overlapping(start, end).filter(scheme=scheme, kind=kind, key=key)
    periods = []
    day = start
    for record in records.order_by("valid_from"):
        if record.valid_from > day:
            break
        last = min(end, record.valid_to or end)
        if record.value is None:
            raise _not_entered(kind, key, scheme, day)
        periods.append((day, last, record_value(record)))
        day = last + dt.timedelta(days=1)
        if day > end:
            return periods
    raise _none_in_force(kind, key, scheme, day)


def policy_in_force(
    kind: str,
    *,
    on: dt.date,
    key: str = "*",
    scheme: PolicyScheme | None = None,
    fallback_keys: tuple[str, ...] = (),
) -> "PolicyValue":
    """Return the validated value of the record in force (see policy_record and PolicyValue)."""
    return record_value(policy_record(kind, on=on, key=key, scheme=scheme, fallback_keys=fallback_keys))


class PolicyValue:
    """The value of one policy record, checked against its kind's schema (ltci.core.policy_schema).

    ``value[field]`` returns the typed value (Decimal amounts and ratios, int, date, lists); a field left for
    staff (null) raises PolicyNotEntered and a field the kind does not have raises PolicyError, both naming
    the record and the field. There is deliberately no ``get(field, default)``: no reader defaults a value.
    """

    def __init__(self, data: dict, *, label):
        self._data = data
        self._label = label

    @property
    def label(self) -> str:
        return _text(self._label)

    def _known(self, field: str) -> None:
        if field not in self._data:
            raise PolicyError(f"policy {self.label} has no field '{field}' (fields: {', '.join(self._data)})")

    def __getitem__(self, field: str):
        self._known(field)
        value = self._data[field]
        if value is None:
            raise PolicyNotEntered(
                f"policy standard {self.label} field '{field}' has not been entered yet: staff must enter it in "
                "the admin (政策参数) before this calculation"
            )
        return value

    def entered(self, field: str) -> bool:
        """True when the schema has the field and staff have entered it (not null)."""
        self._known(field)
        return self._data[field] is not None

    def keys(self):
        return self._data.keys()

    def __contains__(self, field: str) -> bool:
        return field in self._data

    def __repr__(self):
        return f"PolicyValue({self.label}, {self._data!r})"


def record_value(record: PolicyRecord) -> PolicyValue:
    """Validate a record's stored value against its kind's schema; raise PolicyError naming what is wrong."""

    def label():  # built only for an error: the scheme costs a query
        return (
            f"'{record.kind}' [{record.key}] of scheme {record.scheme.code} valid from "
            f"{record.valid_from.isoformat()}"
        )

    if record.value is None:
        raise PolicyNotEntered(
            f"policy standard {label()} has not been entered yet: staff must enter it in the "
            "admin (政策参数) before this calculation"
        )
    return checked_value(record.kind, record.key, record.value, label=label)


def checked_value(kind: str, key: str, value: dict, *, label=None) -> PolicyValue:
    """Validate a value against the kind's schema (see record_value); raise PolicyError naming each problem.

    ``label`` names the value in errors (text or a function returning it; default kind and key)."""
    from .policy_schema import validate_value

    label = label or f"'{kind}' [{key}]"
    model, errors = validate_value(kind, key, value)
    if errors:
        raise PolicyError(f"policy {_text(label)} is invalid: " + "; ".join(str(e) for e in errors))
    if model is None:
        raise PolicyNotEntered(f"policy standard {_text(label)} has not been entered yet")
    return PolicyValue(model.model_dump(), label=label)


def _text(label) -> str:
    return label() if callable(label) else label


def dec(value) -> Decimal:
    """Convert a JSON policy amount (string or int) to Decimal."""
    if isinstance(value, float):
        return Decimal(str(value))
    return Decimal(value)


from .policy_files import PACK_DIR, available_packs, export_pack, load_pack, read_pack  # noqa: E402, F401
