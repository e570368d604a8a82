"""Disability-grading scales, kept as data (SPEC 4.4, ASSESSMENT_STANDARD.md).

Each scale is a JSON file beside this module, named after its version, whose
``method`` says which class grades it. Callers only use
``get_scale(version).grade(items)``: a corrected table or a city's refined
version is a new or edited JSON file, and another kind of scale (for example
a Barthel index) is one more JSON file plus one class registered in
``_METHODS``.
"""

from __future__ import annotations

import itertools
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar

__all__ = [
    "DEFAULT_VERSION",
    "GRADE_NAMES",
    "CombinationScale",
    "GradeResult",
    "GradingError",
    "Indicator",
    "Item",
    "Option",
    "Scale",
    "ScaleDataError",
    "available_versions",
    "benefit_class",
    "get_scale",
]

DEFAULT_VERSION = "nhsa-2021"
BENEFIT_CLASSES = ("mild", "moderate", "severe")

_DIR = Path(__file__).resolve().parent


class GradingError(ValueError):
    """Reject an item set, naming every offending item.

    ``problems`` lists ``(item key, message)`` for each bad item (unknown keys first, in input order,
    then missing or invalid items in the order of the scale); ``item`` and ``message`` are the first
    problem's, and ``str()`` joins all messages with "; ".
    """

    def __init__(self, item: object, message: str, problems: list[tuple[object, str]] | None = None) -> None:
        self.problems: list[tuple[object, str]] = list(problems or [(item, message)])
        super().__init__("; ".join(text for _, text in self.problems))
        self.item = item
        self.message = message

    def __str__(self) -> str:
        return "; ".join(text for _, text in self.problems)


class ScaleDataError(ValueError):
    """Signal a scale file that is inconsistent with itself."""


@dataclass(frozen=True, slots=True)
class GradeResult:
    """Hold the indicator totals, their levels and the grade (ASSESSMENT_STANDARD.md 3-4)."""

    adl: int
    cognition: int
    perception: int
    adl_level: str
    cognition_level: str
    perception_level: str
    grade: int
    scale_version: str


@dataclass(frozen=True, slots=True)
class Option:
    points: int
    text_zh: str


@dataclass(frozen=True, slots=True)
class Item:
    key: str
    name_zh: str
    name_en: str
    options: tuple[Option, ...]

    @property
    def allowed(self) -> tuple[int, ...]:
        """Return the allowed points, lowest first."""
        return tuple(sorted(o.points for o in self.options))


@dataclass(frozen=True, slots=True)
class Indicator:
    key: str
    name_zh: str
    name_en: str
    items: tuple[Item, ...]
    bands: Mapping[str, tuple[int, int]]  # level -> (min, max), both inclusive

    def level_of(self, total: int) -> str:
        """Return the level whose band holds ``total`` (ASSESSMENT_STANDARD.md 3)."""
        for level, (low, high) in self.bands.items():
            if low <= total <= high:
                return level
        raise ScaleDataError(f"indicator {self.key!r}: no level for total {total}")


class Scale(ABC):
    """Grade item scores into a grade 0-5 with the data of one scale file.

    Grades, their names and benefit classes are national (SPEC 4.4), so every
    scale file carries them; how items become a grade is up to the subclass.
    """

    method: ClassVar[str]

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.version: str = data["version"]
        grades = {g["grade"]: g for g in data["grades"]}
        self.grade_names: Mapping[int, str] = MappingProxyType(
            {g: grades[g]["name_zh"] for g in sorted(grades)}
        )
        self._benefit_classes = {g: grades[g]["benefit_class"] for g in grades}
        for g, cls in self._benefit_classes.items():
            if not _is_int(g) or (cls is not None and cls not in BENEFIT_CLASSES):
                raise ScaleDataError(f"{self.version}: bad grade entry {grades[g]!r}")

    @abstractmethod
    def grade(self, items: Mapping[str, object]) -> GradeResult:
        """Return the grade of ``items`` or raise GradingError naming the bad item."""

    def benefit_class(self, grade: int) -> str | None:
        """Return 'severe', 'moderate', 'mild', or None for grade 0 (SPEC 4.4)."""
        if not _is_int(grade) or grade not in self._benefit_classes:
            raise ValueError(f"unknown grade {grade!r}")
        return self._benefit_classes[grade]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.version}>"


class CombinationScale(Scale):
    """Grade by the combination method (组合法) of ASSESSMENT_STANDARD.md.

    Sum the items of each indicator (section 2), place each total in a level
    band (section 3), then read the grade from the table whose row is the ADL
    level and whose column is the worse of the cognition and perception levels
    (section 4).
    """

    method = "combination"
    _INDICATORS = ("adl", "cognition", "perception")

    def __init__(self, data: Mapping[str, Any]) -> None:
        super().__init__(data)
        self.level_order: tuple[str, ...] = tuple(data["level_order"])
        self.level_names: Mapping[str, str] = MappingProxyType(dict(data["level_names"]))
        self.indicators: Mapping[str, Indicator] = MappingProxyType(
            {key: _indicator(key, spec) for key, spec in data["indicators"].items()}
        )
        self.items: Mapping[str, Item] = MappingProxyType(
            {item.key: item for ind in self.indicators.values() for item in ind.items}
        )
        combination = data["combination"]
        self._row: str = combination["rows"]
        self._columns: tuple[str, ...] = tuple(combination["columns"])
        self._column_rule: str = combination["column_rule"]
        self._table: dict[tuple[str, str], int] = {
            (row, column): grade
            for row, cells in combination["table"].items()
            for column, grade in cells.items()
        }
        self._check()

    def grade(self, items: Mapping[str, object]) -> GradeResult:
        """Grade a complete item set (keys of ASSESSMENT_STANDARD.md 1, points of 2)."""
        if not isinstance(items, Mapping):
            raise TypeError(f"items must be a mapping, not {type(items).__name__}")
        problems: list[tuple[object, str]] = [
            (key, f"unknown item {key!r}") for key in items if key not in self.items
        ]
        points: dict[str, int] = {}
        for key, item in self.items.items():
            if key not in items:
                problems.append((key, f"item {key!r} is missing"))
                continue
            value = items[key]
            if not isinstance(value, int) or isinstance(value, bool):
                problems.append((key, f"item {key!r}: {value!r} is not an integer"))
            elif value not in item.allowed:
                allowed = ", ".join(map(str, item.allowed))
                problems.append((key, f"item {key!r}: {value} is not an allowed value (allowed: {allowed})"))
            else:
                points[key] = value
        if problems:
            raise GradingError(*problems[0], problems=problems)
        totals = {key: sum(points[item.key] for item in ind.items) for key, ind in self.indicators.items()}
        levels = {key: self.indicators[key].level_of(total) for key, total in totals.items()}
        column = max((levels[c] for c in self._columns), key=self.level_order.index)
        return GradeResult(
            adl=totals["adl"],
            cognition=totals["cognition"],
            perception=totals["perception"],
            adl_level=levels["adl"],
            cognition_level=levels["cognition"],
            perception_level=levels["perception"],
            grade=self._table[levels[self._row], column],
            scale_version=self.version,
        )

    def _check(self) -> None:
        """Refuse data that could grade wrongly: gaps, overlaps, a non-monotone table."""
        v = self.version
        order = self.level_order
        if set(self.indicators) != set(self._INDICATORS):
            raise ScaleDataError(f"{v}: indicators must be {', '.join(self._INDICATORS)}")
        if sorted([self._row, *self._columns]) != sorted(self._INDICATORS):
            raise ScaleDataError(f"{v}: rows and columns must use each indicator once")
        if self._column_rule != "worse":
            raise ScaleDataError(f"{v}: unknown column rule {self._column_rule!r}")
        if len(set(order)) != len(order) or set(self.level_names) != set(order):
            raise ScaleDataError(f"{v}: level_order and level_names disagree")
        keys = [item.key for ind in self.indicators.values() for item in ind.items]
        if len(keys) != len(set(keys)):
            raise ScaleDataError(f"{v}: duplicate item keys")
        for ind in self.indicators.values():
            if list(ind.bands) != list(order):
                raise ScaleDataError(f"{v}: {ind.key} levels must be {', '.join(order)}")
            for item in ind.items:
                points = [o.points for o in item.options]
                if not points or len(set(points)) != len(points) or not all(map(_is_int, points)):
                    raise ScaleDataError(f"{v}: item {item.key!r} has bad options")
            # A lower total must never mean a better level, and every reachable
            # total must fall in exactly one band.
            for better, worse in itertools.pairwise(order):
                if ind.bands[worse][1] >= ind.bands[better][0]:
                    raise ScaleDataError(f"{v}: {ind.key} bands {better}/{worse} overlap")
            for total in _reachable_totals(ind.items):
                if sum(low <= total <= high for low, high in ind.bands.values()) != 1:
                    raise ScaleDataError(f"{v}: {ind.key} total {total} is not in exactly one band")
        if set(self._table) != set(itertools.product(order, order)):
            raise ScaleDataError(f"{v}: the combination table must have every level pair")
        for (row, column), grade in self._table.items():
            if grade not in self.grade_names:
                raise ScaleDataError(f"{v}: table cell {row}/{column} has unknown grade {grade!r}")
        for a, b in itertools.pairwise(order):
            for other in order:
                if self._table[b, other] < self._table[a, other] or (
                    self._table[other, b] < self._table[other, a]
                ):
                    raise ScaleDataError(f"{v}: the table lowers the grade for a worse level")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _indicator(key: str, spec: Mapping[str, Any]) -> Indicator:
    items = tuple(
        Item(
            key=i["key"],
            name_zh=i["name_zh"],
            name_en=i["name_en"],
            options=tuple(Option(o["points"], o["text_zh"]) for o in i["options"]),
        )
        for i in spec["items"]
    )
    bands = {level: (b["min"], b["max"]) for level, b in spec["levels"].items()}
    return Indicator(key, spec["name_zh"], spec["name_en"], items, MappingProxyType(bands))


def _reachable_totals(items: tuple[Item, ...]) -> set[int]:
    totals = {0}
    for item in items:
        totals = {t + p for t in totals for p in item.allowed}
    return totals


# Grading classes by the ``method`` a scale file names.
_METHODS: dict[str, type[Scale]] = {CombinationScale.method: CombinationScale}


def available_versions() -> list[str]:
    """Return the versions of the scale files shipped with this package."""
    return sorted(path.stem for path in _DIR.glob("*.json"))


def get_scale(version: str = DEFAULT_VERSION) -> Scale:
    """Return the scale ``version``, reading and checking its file once."""
    return _load(version)


@cache
def _load(version: str) -> Scale:
    versions = available_versions()
    if version not in versions:
        raise LookupError(f"unknown scale {version!r} (available: {', '.join(versions)})")
    data = json.loads((_DIR / f"{version}.json").read_text(encoding="utf-8"))
    if data.get("version") != version:
        raise ScaleDataError(f"{version}.json declares version {data.get('version')!r}")
    method = data.get("method")
    if method not in _METHODS:
        raise ScaleDataError(f"{version}.json: unknown method {method!r}")
    return _METHODS[method](data)


GRADE_NAMES: Mapping[int, str] = get_scale().grade_names


def benefit_class(grade: int) -> str | None:
    """Return the benefit class of a grade: 'severe' 3-5, 'moderate' 2, 'mild' 1, None 0 (SPEC 4.4)."""
    return get_scale().benefit_class(grade)


@cache
def version_label(version: str) -> str:
    """A scale version by its title with its code, as staff read it: 长期护理失能等级评估标准（试行）（nhsa-2021）."""
    from ltci.core.formatting import coded

    path = _DIR / f"{version}.json"
    title = json.loads(path.read_text(encoding="utf-8")).get("title_zh", "") if path.is_file() else ""
    return coded(version, title)
