"""The insured site is the top of the stack and the project uses no private Django or cache API (issue 17)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BELOW = ["ltci", "institutions", "enrollment", "assessment", "benefits", "settlement"]
PRIVATE = re.compile(
    r"_iterable_class|_prefetch_related_lookups|klass_info|get_related_populators|apply_converters"
    r"|_get_user_session_key|_get_connection_pool|fetch_prepared|Precompiled"
)


def _sources(folders):
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_nothing_below_the_insured_site_imports_it():
    importing = [
        str(p.relative_to(ROOT))
        for p in _sources(BELOW)
        if re.search(r"^\s*(from|import)\s+insured\b", p.read_text(), re.MULTILINE) and "bench" not in p.parts
    ]
    assert importing == []


def test_no_private_django_or_cache_api_in_the_project():
    this = Path(__file__).resolve()
    found = [
        str(p.relative_to(ROOT))
        for p in _sources([*BELOW, "insured", "tests"])
        if p.resolve() != this and PRIVATE.search(p.read_text())
    ]
    assert found == []
