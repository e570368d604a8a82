"""Isolation rules for the settlement portal pages and API (tests/institutions/test_isolation.py runs them)."""

import datetime as dt

from tests.institutions.isolation import Rule

OFFICE = frozenset({"admin", "clerk"})  # caregivers read only (docs/decisions.md "Who may do what")


def _statement(world):
    from settlement.models import SettlementRun, Statement

    run, _ = SettlementRun.objects.get_or_create(
        month=dt.date(2024, 5, 1), version=1, defaults={"state": SettlementRun.State.AUDITED}
    )
    statement, _ = Statement.objects.get_or_create(run=run, institution=world.owner)
    return statement


def _statement_pdf(world):
    return {"pk": _statement(world).pk, "fmt": "csv"}


def _statement_api(world):
    return {"pk": _statement(world).pk}


def _batch(world):
    from ltci.core.models import ImportBatch

    batch, _ = ImportBatch.objects.get_or_create(
        kind="service_records",
        filename="iso.csv",
        sha256="0" * 64,
        created_by=world.users[("owner", "admin")],
        defaults={"error_report": "row,field,reason\n"},
    )
    return {"pk": batch.pk}


def _upload_job(world):
    from ltci.core.models import JobRun

    job = JobRun.objects.create(
        job="file_import.import_service_records",
        period="2024-05-01",
        params={
            "importer": "settlement.imports.import_service_records",
            "file": "x",
            "filename": "big.csv",
            "objects": {"institution": ["institutions.Institution", world.owner.pk]},
        },
    )
    return {"pk": job.pk}


RULES = {
    "settlement_portal:index": Rule(roles=OFFICE),
    "settlement_portal:upload": Rule(roles=OFFICE, method="POST"),
    "settlement_portal:upload_errors": Rule(roles=OFFICE, kwargs=_batch),
    "settlement_portal:upload_template": Rule(roles=OFFICE),
    "settlement_portal:visit_new": Rule(roles=OFFICE),
    "settlement_portal:upload_job": Rule(roles=OFFICE, kwargs=_upload_job),
    "settlement_portal:claim": Rule(roles=OFFICE, method="POST"),
    "settlement_portal:bed_days": Rule(roles=OFFICE, method="POST"),
    "settlement_portal:results": Rule(roles=OFFICE),
    "settlement_portal:appeal": Rule(roles=OFFICE, method="POST"),
    "settlement_portal:statement": Rule(roles=OFFICE, kwargs=_statement_pdf),
    "api-service-records": Rule(roles=OFFICE),
    "api-settlement-claims": Rule(roles=OFFICE, method="POST"),
    "api-settlement-results": Rule(roles=OFFICE),
    "api-settlement-statement": Rule(roles=OFFICE, kwargs=_statement_api),
    "api-settlement-appeals": Rule(roles=OFFICE, method="POST"),
}
