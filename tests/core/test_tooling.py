"""The development tooling the suite relies on: declared dependencies and the hypothesis profile."""

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[2]


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs.extend(extra)
    return {_normal(re.split(r"[\[=<>!~ ;]", spec, maxsplit=1)[0]) for spec in specs}


def _imported_top_level_names() -> dict[str, str]:
    """{top-level module: first file importing it} over every tracked Python file (absolute imports)."""
    files = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    found: dict[str, str] = {}
    for name in files:
        tree = ast.parse((ROOT / name).read_text(encoding="utf-8"), filename=name)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                found.setdefault(module.split(".")[0], name)
    return found


def test_every_imported_third_party_package_is_declared_in_pyproject():
    local = {p.parent.name for p in ROOT.glob("*/__init__.py")} | {p.stem for p in ROOT.glob("*.py")}
    distributions = importlib.metadata.packages_distributions()
    declared = _declared()
    missing = []
    for module, where in sorted(_imported_top_level_names().items()):
        if module in sys.stdlib_module_names or module in local:
            continue
        dists = {_normal(d) for d in distributions.get(module, [])}
        if not dists:
            missing.append(f"{module} (imported by {where}) is not installed")
        elif not dists & declared:
            missing.append(
                f"{module} (imported by {where}) comes from {sorted(dists)}, not in pyproject.toml"
            )
    assert not missing, missing


def test_the_default_hypothesis_profile_cannot_fail_on_a_busy_machine():
    current = settings()
    assert current.deadline is None
    assert HealthCheck.too_slow in current.suppress_health_check
