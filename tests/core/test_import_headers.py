"""Issue 14: every import reads a header of SPEC 11 column codes, of their Chinese names, or of both mixed."""

import pytest
from django.db import transaction
from django.utils import translation

from assessment.imports import CONCLUSION_COLUMNS, CONCLUSION_LABELS, import_conclusions
from benefits.imports import decisions, hospital, other_funds
from enrollment.imports import (
    ACCOUNT_EVENT_COLUMNS,
    ACCOUNT_EVENT_LABELS,
    PAYMENT_COLUMNS,
    PAYMENT_LABELS,
    ROSTER_COLUMNS,
    ROSTER_LABELS,
    import_account_events,
    import_payments,
    import_roster,
)
from institutions.imports import (
    CAREGIVER_COLUMNS,
    CAREGIVER_LABELS,
    INSTITUTION_COLUMNS,
    INSTITUTION_LABELS,
    import_caregivers,
    import_institutions,
)
from settlement import imports as service_records


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


IMPORTS = {
    "roster": (import_roster, ROSTER_COLUMNS, ROSTER_LABELS),
    "account_events": (import_account_events, ACCOUNT_EVENT_COLUMNS, ACCOUNT_EVENT_LABELS),
    "payments": (import_payments, PAYMENT_COLUMNS, PAYMENT_LABELS),
    "institutions": (import_institutions, INSTITUTION_COLUMNS, INSTITUTION_LABELS),
    "caregivers": (import_caregivers, CAREGIVER_COLUMNS, CAREGIVER_LABELS),
    "conclusions": (import_conclusions, CONCLUSION_COLUMNS, CONCLUSION_LABELS),
    "benefit_decisions": (decisions.import_benefit_decisions, decisions.COLUMNS, decisions.LABELS),
    "hospital_stays": (hospital.import_hospital_stays, hospital.COLUMNS, hospital.LABELS),
    "other_fund_benefits": (other_funds.import_other_fund_benefits, other_funds.COLUMNS, other_funds.LABELS),
    "service_records": (
        service_records.import_service_records,
        service_records.COLUMNS,
        service_records.LABELS,
    ),
}


def outcome(importer, header, row):
    """The report of importing header + row, rolled back so the next file meets the same database."""
    body = (",".join(header) + "\n" + ",".join(row) + "\n").encode("utf-8")
    with transaction.atomic():
        report = importer(content=body, filename="f.csv")
        transaction.set_rollback(True)
    return report.file_error, [(e.row, e.field, e.reason) for e in report.errors], report.applied


@pytest.mark.parametrize("kind", sorted(IMPORTS))
def test_chinese_and_mixed_headers_read_like_the_codes(xuzhou, kind):
    importer, columns, labels = IMPORTS[kind]
    assert set(labels) == set(columns) and len(set(labels.values())) == len(labels)
    row = ["x"] * len(columns)  # every field wrong: the errors name the same fields whatever the header
    english = outcome(importer, columns, row)
    assert english[0] == "" and english[1]
    assert outcome(importer, [labels[c] for c in columns], row) == english
    mixed = [labels[c] if i % 2 else c for i, c in enumerate(columns)]
    assert outcome(importer, mixed, row) == english


@pytest.mark.parametrize("kind", sorted(IMPORTS))
def test_an_unknown_header_is_refused_naming_it(xuzhou, kind):
    importer, columns, labels = IMPORTS[kind]
    header = [labels[c] for c in columns[:-1]] + ["备注栏"]
    file_error = outcome(importer, header, ["x"] * len(columns))[0]
    assert "unknown column(s): 备注栏" in file_error
