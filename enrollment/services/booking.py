"""Booking by difference (SPEC 3.2, 7.3): what the year's contributions imply minus what earlier runs booked.

Rows are append-only: a rerun books only the change (new heads, or a correcting line when a target fell,
e.g. lines a corrected rule no longer books), so running twice books nothing.
"""

import datetime as dt
from decimal import Decimal


def book_differences(model, *, year: int, fields: tuple[str, ...], targets: dict, on: dt.date) -> int:
    """targets: {key tuple (values of `fields`): (headcount, amount)}. Return the number of lines booked."""
    booked: dict[tuple, list] = {}
    for row in model.objects.filter(year=year, source_key__startswith="run:").values_list(
        *fields, "headcount", "amount"
    ):
        entry = booked.setdefault(tuple(row[:-2]), [0, Decimal("0"), 0])
        entry[0] += row[-2]
        entry[1] += row[-1]
        entry[2] += 1
    lines = []
    for key in sorted(set(targets) | set(booked)):
        hc, amount = targets.get(key, (0, Decimal("0")))
        prev_hc, prev_amount, n = booked.get(key, [0, Decimal("0"), 0])
        if (hc, amount) == (prev_hc, prev_amount):
            continue
        lines.append(
            model(
                year=year,
                headcount=hc - prev_hc,
                amount=amount - prev_amount,
                booked_on=on,
                source_key=f"run:{year}:{':'.join(key)}:{n + 1}",
                **dict(zip(fields, key, strict=True)),
            )
        )
    model.objects.bulk_create(lines, ignore_conflicts=True)
    return len(lines)
