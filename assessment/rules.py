"""Pure assessment rules (SPEC 4): validity, which conclusion is in force, assessor pairs, samples, fees.

No ORM and no I/O: callers pass values (or model instances read only for their attributes) and policy
numbers, so every rule is table-testable.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.utils.translation import gettext as _

from ltci.core.dates import add_months


class _Dated(Protocol):
    # read-only members, so a model whose fields are typed by django-stubs conforms
    @property
    def pk(self) -> Any: ...
    @property
    def concluded_on(self) -> dt.date: ...
    @property
    def valid_until(self) -> dt.date: ...


C = TypeVar("C", bound=_Dated)


def valid_until(concluded_on: dt.date, validity_months: int) -> dt.date:
    """Return the last day of validity: ``validity_months`` months counted from concluded_on, inclusive.

    "Valid for 2 years" from 2024-03-10 is valid through 2026-03-09 (SPEC 4.3; decisions/assessment.md).
    """
    return add_months(concluded_on, validity_months) - dt.timedelta(days=1)


def pick_conclusion(conclusions: Iterable[C], day: dt.date) -> C | None:
    """Return the final conclusion in force on ``day``, or None (SPEC 4.3, 5.1 condition 3).

    The conclusion with the latest concluded_on on or before ``day`` (ties: the one created last) governs;
    it is in force if its validity still covers ``day``. A later conclusion replaces an earlier one even
    while the earlier is still valid, so a downgrade or an expired reassessment is never masked by an older
    conclusion. ``conclusions`` must be final ones of one person.
    """
    latest = None
    for conclusion in conclusions:
        if conclusion.concluded_on > day:
            continue
        if latest is None or (conclusion.concluded_on, conclusion.pk or 0) > (
            latest.concluded_on,
            latest.pk or 0,
        ):
            latest = conclusion
    if latest is None or latest.valid_until < day:
        return None
    return latest


@dataclass(frozen=True)
class Candidate:
    """An assessor as the pair choice sees them."""

    id: int
    medical_professional: bool
    linked_institution_ids: frozenset[int] = frozenset()


class NoPairPossible(ValueError):
    """There are not enough eligible assessors for a valid pair."""


def eligible_assessors(
    candidates: Sequence[Candidate], *, care_institution_id: int | None, excluded_ids: Iterable[int] = ()
) -> list[Candidate]:
    """Return candidates without a conflict of interest and not excluded (earlier rounds, declines)."""
    excluded = set(excluded_ids)
    return [
        c
        for c in candidates
        if c.id not in excluded
        and (care_institution_id is None or care_institution_id not in c.linked_institution_ids)
    ]


def choose_pair(
    candidates: Sequence[Candidate],
    *,
    seed: int,
    care_institution_id: int | None = None,
    excluded_ids: Iterable[int] = (),
) -> tuple[Candidate, Candidate]:
    """Choose two assessors at random, at least one a medical professional (SPEC 4.2).

    Reproducible: the same candidates (in any order) and seed give the same pair. Raise NoPairPossible
    naming what is missing.
    """
    pool = sorted(
        eligible_assessors(candidates, care_institution_id=care_institution_id, excluded_ids=excluded_ids),
        key=lambda c: c.id,
    )
    medical = [c for c in pool if c.medical_professional]
    if len(pool) < 2:
        raise NoPairPossible(_("该评估机构没有足够的可派评估人员（需2名，且与申请人所在护理机构无关联）。"))
    if not medical:
        raise NoPairPossible(_("该评估机构没有可派的医学专业评估人员。"))
    rng = random.Random(seed)
    first = rng.choice(medical)
    second = rng.choice([c for c in pool if c.id != first.id])
    return (first, second) if first.id < second.id else (second, first)


def choose_replacement(
    candidates: Sequence[Candidate],
    *,
    seed: int,
    partner: Candidate,
    care_institution_id: int | None = None,
    excluded_ids: Iterable[int] = (),
) -> Candidate:
    """Choose who replaces a declining assessor beside ``partner``, keeping a medical professional in the pair."""
    pool = sorted(
        eligible_assessors(
            candidates, care_institution_id=care_institution_id, excluded_ids={*excluded_ids, partner.id}
        ),
        key=lambda c: c.id,
    )
    if not partner.medical_professional:
        pool = [c for c in pool if c.medical_professional]
    if not pool:
        raise NoPairPossible(
            _("没有可替换的评估人员（需与申请人所在护理机构无关联，且保证一名医学专业人员）。")
        )
    return random.Random(seed).choice(pool)


def sample_ids(ids: Iterable[int], *, size: int, seed: int) -> list[int]:
    """Return a reproducible random sample of ``size`` ids (all of them if fewer), sorted."""
    population = sorted(set(ids))
    if size < 0:
        raise ValueError("sample size must not be negative")
    return sorted(random.Random(seed).sample(population, min(size, len(population))))


def fee_kind_and_payer(
    *, application_kind: str, review_grade: int | None = None, original_grade: int | None = None
) -> tuple[str, str]:
    """Return (fee kind, payer) for an application (SPEC 4.3).

    First assessments (and reassessments on expiry or a change of condition) are "first" kind fees paid
    by the fund; office-ordered spot checks are "office_ordered", fund; a requested review is paid by the
    applicant when it confirms the original grade, otherwise by the fund.
    """
    if application_kind == "review":
        payer = "applicant" if review_grade == original_grade else "fund"
        return "review", payer
    if application_kind == "spot_check":
        return "office_ordered", "fund"
    return "first", "fund"


def disability_long_enough(disability_since: dt.date | None, on: dt.date, min_months: int) -> bool:
    """True when disability has lasted at least ``min_months`` months on ``on`` (SPEC 4.1)."""
    return disability_since is not None and add_months(disability_since, min_months) <= on
