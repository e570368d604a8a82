"""Jinjiang's collective subsidies (SPEC 3.2; seed 003 (二) 参保筹资): the city's 15 and the town's at least 10
per insured resident head, paid to the village/community collective that pays the residents' individual
parts. Booked by the yearly run as CollectiveSubsidy (payer, region, village, year), never as fund income;
a resident whose individual part the fiscal source pays (waived) brings the collective no subsidy.
"""

import datetime as dt

from django.db import connection

from ltci.core.money import fen

from ..models import CollectiveSubsidy
from .booking import book_differences
from .standards import YearPolicy

HEADS = """
SELECT c.region_code, p.village_code, count(*)
FROM enrollment_contribution c JOIN enrollment_person p ON p.id = c.person_id
WHERE c.year = %s AND c.insurance_type = 'resident' AND NOT c.subsidised
GROUP BY c.region_code, p.village_code
"""


def collective_targets(policy: YearPolicy) -> dict[tuple[str, str, str], tuple]:
    """{(payer, region, village): (heads, amount)} for the year's paying residents."""
    if not policy.collective:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(HEADS, [policy.year])
        rows = cursor.fetchall()
    return {
        (payer, region, village or ""): (n, fen(policy.collective[payer] * n))
        for region, village, n in rows
        for payer in ("city", "town")
        if payer in policy.collective
    }


def book_collective_subsidies(policy: YearPolicy, *, on: dt.date) -> int:
    return book_differences(
        CollectiveSubsidy,
        year=policy.year,
        fields=("payer", "region_code", "village_code"),
        targets=collective_targets(policy),
        on=on,
    )
