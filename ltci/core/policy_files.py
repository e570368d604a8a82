"""Policy pack files (SPEC 2): load a shipped pack or any file of the same format, export a scheme.

A pack file is YAML: ``scheme`` (code), ``name``, optional ``source`` and ``records``, each record with
``kind``, ``key`` (default ``*``), ``valid_from``, optional ``valid_to``, ``value`` (null: left for staff),
optional ``note`` and, for a value the seeds do not give, ``default: true`` with ``default_reason``.
The whole file is checked against the schema of each kind (ltci.core.policy_schema) before anything is
written: one error refuses the file, and every error names the file, kind, key, valid_from and field.
"""

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction

from .dates import periods_overlap
from .models import PolicyRecord, PolicyScheme
from .policy import PolicyError
from .policy_schema import canonical, validate_value

PACK_DIR = Path(__file__).resolve().parent.parent / "policy_packs"
TOP_FIELDS = {"scheme", "name", "source", "records"}
RECORD_FIELDS = {"kind", "key", "valid_from", "valid_to", "value", "note", "default", "default_reason"}


class PolicyFileError(PolicyError):
    """A pack file refused as a whole (nothing loaded); ``errors`` lists every problem."""

    def __init__(self, source: str, errors: list[str]):
        self.source = source
        self.errors = errors
        super().__init__(f"{source}: policy file refused, nothing loaded:\n" + "\n".join(errors))


@dataclass(frozen=True)
class PackRecord:
    kind: str
    key: str
    valid_from: dt.date
    valid_to: dt.date | None
    value: dict | None
    note: str
    is_default: bool
    default_reason: str

    def record(self, scheme: PolicyScheme) -> PolicyRecord:
        """The unsaved policy record of ``scheme`` this pack line stands for."""
        return PolicyRecord(
            scheme=scheme,
            kind=self.kind,
            key=self.key,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            value=self.value,
            note=self.note,
            is_default=self.is_default,
            default_reason=self.default_reason,
        )


class _Loader(yaml.SafeLoader):
    """Dates stay text, so that a wrong one is reported against its record instead of failing the parse."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def available_packs() -> list[str]:
    return sorted(p.stem for p in PACK_DIR.glob("*.yaml"))


def pack_path(pack: str) -> Path:
    """A shipped pack's code or a file path."""
    if pack.endswith((".yaml", ".yml")) or "/" in pack or Path(pack).is_file():
        path = Path(pack)
        if not path.is_file():
            raise PolicyError(f"policy file '{pack}' not found")
        return path
    path = PACK_DIR / f"{pack}.yaml"
    if not path.exists():
        raise PolicyError(
            f"unknown policy pack '{pack}'; available: {', '.join(available_packs())} "
            "(or give the path of a pack file)"
        )
    return path


def read_pack(pack: str) -> dict:
    path = pack_path(pack)
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_Loader)  # noqa: S506 -- a SafeLoader without timestamps
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PolicyFileError(path.name, [f"not a readable YAML file: {exc}"]) from None


def _date(value, field: str, errors: list[str], where: str) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.append(f"{where}: {field} = {value!r}: not an ISO date (YYYY-MM-DD)")
        return None


def _record(item, n: int, errors: list[str]) -> PackRecord | None:
    if not isinstance(item, dict):
        errors.append(f"record {n}: not a mapping of fields")
        return None
    kind, key = str(item.get("kind", "")), str(item.get("key", "*"))
    where = f"record {n} {kind or '?'} [{key}] valid_from {item.get('valid_from', '?')}"
    found = len(errors)
    for name in sorted(set(item) - RECORD_FIELDS):
        errors.append(f"{where}: {name}: unknown record field (fields: {', '.join(sorted(RECORD_FIELDS))})")
    for name in ("kind", "valid_from", "value"):
        if name not in item:
            errors.append(f"{where}: {name}: missing")
    valid_from = _date(item.get("valid_from"), "valid_from", errors, where)
    valid_to = _date(item.get("valid_to"), "valid_to", errors, where)
    if valid_from and valid_to and valid_to < valid_from:
        errors.append(f"{where}: valid_to = {valid_to.isoformat()}: before valid_from")
    is_default = item.get("default", False)
    if not isinstance(is_default, bool):
        errors.append(f"{where}: default = {is_default!r}: must be true or false")
    reason = str(item.get("default_reason") or "").strip()
    if is_default is True and not reason:
        errors.append(f"{where}: default_reason: missing (say why the pack chose this value)")
    model, problems = validate_value(kind, key, item.get("value"))
    errors.extend(f"{where}: {p}" for p in problems)
    if len(errors) > found or valid_from is None:
        return None
    return PackRecord(
        kind, key, valid_from, valid_to, canonical(model), str(item.get("note") or ""), is_default, reason
    )


def _overlaps(a: PackRecord, b_from: dt.date, b_to: dt.date | None) -> bool:
    return periods_overlap(a.valid_from, a.valid_to, b_from, b_to)


def parse_pack(data, source: str) -> tuple[dict, list[PackRecord]]:
    """Check a pack's content; return (scheme fields, records) or raise PolicyFileError listing every error."""
    errors: list[str] = []
    if not isinstance(data, dict):
        raise PolicyFileError(source, ["the file must be a mapping with scheme, name and records"])
    errors += [
        f"{name}: unknown top-level field (fields: {', '.join(sorted(TOP_FIELDS))})"
        for name in sorted(set(data) - TOP_FIELDS)
    ]
    code = str(data.get("scheme") or "")
    if not re.fullmatch(r"[-a-zA-Z0-9_]{1,40}", code):
        errors.append(f"scheme = {code!r}: missing or not a code (letters, digits, '-', at most 40)")
    if not data.get("name"):
        errors.append("name: missing")
    items = data.get("records")
    if not isinstance(items, list):
        errors.append("records: missing or not a list")
        items = []
    records = [r for n, item in enumerate(items, 1) if (r := _record(item, n, errors)) is not None]
    seen: dict[tuple[str, str], list[PackRecord]] = {}
    for rec in records:
        for other in seen.get((rec.kind, rec.key), []):
            if _overlaps(rec, other.valid_from, other.valid_to):
                errors.append(
                    f"{rec.kind} [{rec.key}] valid_from {rec.valid_from.isoformat()}: validity overlaps "
                    f"the record valid from {other.valid_from.isoformat()}"
                )
        seen.setdefault((rec.kind, rec.key), []).append(rec)
    if errors:
        raise PolicyFileError(source, errors)
    return {"code": code, "name": str(data["name"]), "source": str(data.get("source") or "")}, records


@transaction.atomic
def load_pack(pack: str, *, activate: bool = True) -> tuple[PolicyScheme, int, int]:
    """Load a pack (shipped code or file path) idempotently: create missing records, never overwrite staff
    edits. Return (scheme, created, unchanged). A record is identified by kind, key and valid_from."""
    path = pack_path(pack)
    head, records = parse_pack(read_pack(pack), path.name)
    scheme, _ = PolicyScheme.objects.select_for_update().get_or_create(
        code=head["code"], defaults={"name": head["name"]}
    )
    scheme.name, scheme.source = head["name"], head["source"]
    existing = list(PolicyRecord.objects.filter(scheme=scheme))
    same = {(r.kind, r.key, r.valid_from) for r in existing}
    errors = [
        f"{rec.kind} [{rec.key}] valid_from {rec.valid_from.isoformat()}: validity overlaps the record "
        f"valid from {old.valid_from.isoformat()} already in scheme {scheme.code}"
        for rec in records
        if (rec.kind, rec.key, rec.valid_from) not in same
        for old in existing
        if (old.kind, old.key) == (rec.kind, rec.key) and _overlaps(rec, old.valid_from, old.valid_to)
    ]
    if errors:
        raise PolicyFileError(path.name, errors)
    new = [r.record(scheme) for r in records if (r.kind, r.key, r.valid_from) not in same]
    for record in new:
        record.save()  # one by one so that the history records who loaded it
    if activate:
        PolicyScheme.objects.exclude(pk=scheme.pk).filter(active=True).update(active=False)
        scheme.active = True
    scheme.save()
    return scheme, len(new), len(records) - len(new)


class _Flow(dict):
    """A record's value: written on one line, as in the shipped packs."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Flow,
    lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True),
)


def export_pack(scheme: PolicyScheme) -> str:
    """The scheme's records (staff edits included) as a pack file that loads back to the same records."""
    records = []
    for r in PolicyRecord.objects.filter(scheme=scheme).order_by("kind", "key", "valid_from"):
        item = {"kind": r.kind, "key": r.key, "valid_from": r.valid_from}
        if r.valid_to is not None:
            item["valid_to"] = r.valid_to
        model, errors = validate_value(r.kind, r.key, r.value)
        value = r.value if errors else canonical(model)
        item["value"] = _Flow(value) if isinstance(value, dict) else value
        if r.is_default:
            item["default"] = True
            item["default_reason"] = r.default_reason
        if r.note:
            item["note"] = r.note
        records.append(item)
    data: dict[str, object] = {"scheme": scheme.code, "name": scheme.name}
    if scheme.source:
        data["source"] = scheme.source
    data["records"] = records
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=120
    )


def scheme_for_export(code: str | None) -> PolicyScheme:
    if code:
        scheme = PolicyScheme.objects.filter(code=code).first()
        if scheme is None:
            known = ", ".join(PolicyScheme.objects.values_list("code", flat=True)) or "none loaded"
            raise PolicyError(f"unknown policy scheme '{code}' (loaded: {known})")
        return scheme
    from .policy import active_scheme

    return active_scheme()
