"""Policy lookup (SPEC 2): the version in force on the date a calculation concerns."""
import datetime as dt
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from .models import PolicyRecord, PolicyScheme

PACK_DIR = Path(__file__).resolve().parent.parent / "policy_packs"


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
    return (
        PolicyRecord.objects.filter(scheme=scheme, kind=kind, key=key, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .first()
    )


def policy_record(kind: str, *, on: dt.date, key: str = "*", scheme: PolicyScheme | None = None,
                  fallback_keys: tuple[str, ...] = ()) -> PolicyRecord:
    """Return the record in force for kind/key on a date, trying fallback keys in order, then '*'."""
    scheme = scheme or active_scheme()
    keys = (key, *fallback_keys, "*") if key != "*" else ("*",)
    for candidate in dict.fromkeys(keys):
        record = _find(kind, candidate, on, scheme)
        if record is not None:
            if record.value is None:
                raise PolicyNotEntered(
                    f"policy standard '{kind}' [{candidate}] of scheme {scheme.code} in force on {on.isoformat()} "
                    "has not been entered yet: staff must enter it in the admin (政策参数) before this calculation"
                )
            return record
    raise NoPolicyInForce(
        f"no policy in force: '{kind}' [{key}] on {on.isoformat()} in scheme {scheme.code}"
    )


def policy_in_force(kind: str, *, on: dt.date, key: str = "*", scheme: PolicyScheme | None = None,
                    fallback_keys: tuple[str, ...] = ()):
    """Return the value (JSON) of the record in force; see policy_record."""
    return policy_record(kind, on=on, key=key, scheme=scheme, fallback_keys=fallback_keys).value


def dec(value) -> Decimal:
    """Convert a JSON policy amount (string or int) to Decimal."""
    if isinstance(value, float):
        return Decimal(str(value))
    return Decimal(value)


def available_packs() -> list[str]:
    return sorted(p.stem for p in PACK_DIR.glob("*.yaml"))


def read_pack(code: str) -> dict:
    path = PACK_DIR / f"{code}.yaml"
    if not path.exists():
        raise PolicyError(f"unknown policy pack '{code}'; available: {', '.join(available_packs())}")
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _jsonable(value):
    """Dates in YAML become ISO strings; numbers stay as written (amounts are strings in packs)."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(value)
    return value


@transaction.atomic
def load_pack(code: str, *, activate: bool = True) -> tuple[PolicyScheme, int, int]:
    """Load a policy pack idempotently: create missing records, never overwrite staff edits.

    Return (scheme, created, unchanged). A record is identified by kind, key and valid_from.
    """
    data = read_pack(code)
    scheme, _ = PolicyScheme.objects.get_or_create(code=code, defaults={"name": data.get("name", code)})
    scheme.name = data.get("name", code)
    scheme.source = data.get("source", "")
    created = unchanged = 0
    for item in data.get("records", []):
        kind = item["kind"]
        key = str(item.get("key", "*"))
        valid_from = _as_date(item["valid_from"])
        exists = PolicyRecord.objects.filter(scheme=scheme, kind=kind, key=key, valid_from=valid_from).exists()
        if exists:
            unchanged += 1
            continue
        PolicyRecord.objects.create(
            scheme=scheme,
            kind=kind,
            key=key,
            valid_from=valid_from,
            valid_to=_as_date(item.get("valid_to")),
            value=_jsonable(item.get("value")),
            note=item.get("note", ""),
        )
        created += 1
    if activate:
        PolicyScheme.objects.exclude(pk=scheme.pk).filter(active=True).update(active=False)
        scheme.active = True
    scheme.save()
    return scheme, created, unchanged
