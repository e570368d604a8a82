"""Fill locale/en/LC_MESSAGES/django.po from the translation tables scripts/i18n/en_*.tsv.

Workflow after UI text changes (polib is a tool for this script only, not a project dependency):

    .venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=.local --ignore=staticfiles
    # add the new msgids with their English text to one of scripts/i18n/en_*.tsv
    .venv/bin/python scripts/i18n/translate_po.py
    .venv/bin/python manage.py compilemessages --ignore=.venv

Table format: one entry a line, ``msgid<TAB>msgstr`` (``msgid<TAB>singular<TAB>plural`` for plural
entries); lines starting with ``#`` and blank lines are ignored; leading/trailing spaces of the msgstr
are kept (a few template fragments need them). The table is the source of truth: every entry found
there overwrites the .po msgstr and clears the fuzzy flag. Exits 1 if a msgid has no translation or a
placeholder does not match, so the .po never ships half translated.
"""
import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
PO_PATH = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
TABLE_DIR = Path(__file__).resolve().parent
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]|\{[^{}]*\}")


def load_table() -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    errors = []
    for path in sorted(TABLE_DIR.glob("en_*.tsv")):
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) < 2 or not parts[0] or not all(parts[1:]):
                errors.append(f"{path.name}:{no}: expected msgid<TAB>msgstr")
                continue
            if parts[0] in table:
                errors.append(f"{path.name}:{no}: duplicate msgid {parts[0]!r}")
                continue
            table[parts[0]] = parts[1:]
    if errors:
        sys.exit("\n".join(errors))
    return table


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def main() -> int:
    table = load_table()
    po = polib.pofile(str(PO_PATH), wrapwidth=0)
    po.metadata.update({
        "Project-Id-Version": "ltci",
        "Language": "en",
        "Language-Team": "English",
        "Last-Translator": "ltci team",
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    })
    po.metadata_is_fuzzy = False
    for entry in po.obsolete_entries():
        po.remove(entry)
    missing, bad, used = [], [], set()
    for entry in po:
        found = table.get(entry.msgid)
        if found is None:
            if not entry.translated():
                missing.append(entry)
            continue
        used.add(entry.msgid)
        if entry.msgid_plural:
            plural = found[1] if len(found) > 1 else found[0]
            entry.msgstr_plural = {0: found[0], 1: plural}
            pairs = [(entry.msgid, found[0]), (entry.msgid_plural, plural)]
        else:
            entry.msgstr = found[0]
            pairs = [(entry.msgid, found[0])]
        for source, target in pairs:
            if placeholders(source) != placeholders(target):
                bad.append(f"placeholders differ: {source!r} -> {target!r}")
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    po.save(str(PO_PATH))
    unused = sorted(set(table) - used)
    print(f"{len(po)} msgids, {len(used)} filled from the table, {len(missing)} missing, "
          f"{len(unused)} table entries not in the .po")
    for msgid in unused:
        print(f"  unused: {msgid}")
    for entry in missing:
        where = ", ".join(f"{f}:{n}" for f, n in entry.occurrences[:2])
        print(f"  MISSING: {entry.msgid!r} ({where})")
    for line in bad:
        print(f"  BAD: {line}")
    return 1 if missing or bad else 0


if __name__ == "__main__":
    sys.exit(main())
