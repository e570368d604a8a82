"""The SPEC 11 file interfaces as the contract and end-to-end tests write them: each file's columns (written
out here, not read from the importers, so a renamed column fails the tests) and the two steps every such
test takes: write a CSV file, run a command."""

import csv
import io

from django.core.management import call_command

ROSTER = [
    "national_id",
    "name",
    "insurance_type",
    "region_code",
    "enrolled_on",
    "categories",
    "has_personal_account",
    "ended_on",
    "end_reason",
]
PAYMENTS = ["national_id", "year", "amount", "paid_on", "channel", "payer_national_id"]
INSTITUTIONS = [
    "code",
    "name",
    "type",
    "region_code",
    "credit_code",
    "care_forms",
    "beds",
    "agreement_from",
    "agreement_to",
    "insurance_expires_on",
    "price_life",
    "price_medical",
]
CAREGIVERS = ["institution_code", "national_id", "name", "qualification", "employed_from", "employed_to"]
CONCLUSIONS = ["national_id", "grade", "concluded_on", "valid_until", "agency_code"]
DECISIONS = ["national_id", "care_form", "institution_code", "carer_trained", "starts_on", "ends_on"]
STAYS = ["national_id", "admitted_on", "discharged_on", "hospital"]
RECORDS = [
    "institution_code",
    "national_id",
    "kind",
    "service_date",
    "component",
    "charged_amount",
    "caregiver_id",
    "started_at",
    "ended_at",
    "items",
]


def write(tmp_path, name, header, rows) -> str:
    """Write a CSV file (header, then rows as lists) and return its path."""
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def run(*args, **options) -> tuple[str, str]:
    """Run a management command; return its (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def institution(code, name, type, care_forms, beds, *, agreement=("2026-01-01", "2026-12-31")) -> list:
    """A row of INSTITUTIONS: an agreement for the year, liability insurance until mid-2027, no own prices."""
    return [code, name, type, "320302", "", care_forms, str(beds), *agreement, "2027-06-30", "", ""]
