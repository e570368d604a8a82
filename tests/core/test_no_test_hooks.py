"""Production code carries no test hooks (STYLE "What we do not do"): tests kill, slow or break a process
from outside (tests/outside.py), so no production module reads a test switch or kills its own process."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("assessment", "benefits", "enrollment", "institutions", "ltci", "settlement")
HOOKS = re.compile(r"LTCI_TEST_(?!DB\b)\w+|os\.kill\(os\.getpid\(\)|_test_(kill|hook)\w*")


def production_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_production_module_carries_a_test_hook():
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in production_modules()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if HOOKS.search(line)
    ]
    assert found == []


def test_the_hook_pattern_finds_the_hooks_that_were_removed():
    assert HOOKS.search('if os.environ.get("LTCI_TEST_KILL_IN_WRITE"):')
    assert HOOKS.search("        os.kill(os.getpid(), signal.SIGKILL)")
    assert HOOKS.search("_test_kill_hook(chunk_no)")
    assert not HOOKS.search('os.environ.get("LTCI_TEST_DB", "main")')
