import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from institutions import selectors
from institutions.imports import import_caregivers, import_institutions
from institutions.models import (
    Agreement,
    Bed,
    Caregiver,
    Employment,
    Institution,
    InstitutionEvent,
    InsuranceNotice,
)
from institutions.rules import make_credit_code

from .helpers import national_id, occupy


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


TODAY = dt.date(2026, 6, 1)
HEADER = (
    "code,name,type,region_code,credit_code,care_forms,beds,agreement_from,agreement_to,"
    "insurance_expires_on,price_life,price_medical\n"
)
CC1, CC2 = make_credit_code("320302", 1), make_credit_code("320303", 2)


def bare(error) -> str:
    """The reason without the column name the import puts around it (tested in tests/core)."""
    from institutions.imports import CAREGIVER_LABELS, INSTITUTION_LABELS

    label = {**CAREGIVER_LABELS, **INSTITUTION_LABELS}.get(error.field)
    return error.reason.removeprefix(f"field {error.field}: ").removesuffix(f" ({label})")


def run(text, **kw):
    return import_institutions(content=text.encode(), filename="inst.csv", today=TODAY, **kw)


def row(
    code="XZ0001",
    *,
    type="elderly_care",
    credit=CC1,
    forms="residential",
    beds="3",
    start="2026-01-01",
    end="2028-12-31",
    insurance="2027-01-31",
    life="",
    medical="",
):
    return f"{code},机构{code},{type},320302,{credit},{forms},{beds},{start},{end},{insurance},{life},{medical}\n"


@pytest.fixture(autouse=True)
def _pack(xuzhou):
    return xuzhou


def test_institution_with_agreement_and_valid_insurance_is_imported_active_with_numbered_beds(db):
    report = run(HEADER + row(life="55.00"))
    assert (report.applied, report.rejected) == (1, 0)
    inst = Institution.objects.get(code="XZ0001")
    assert inst.status == Institution.Status.ACTIVE
    agreement = selectors.active_agreement(institution=inst, on=TODAY)
    assert agreement.care_forms == ["residential"]
    assert agreement.price_life == 55 and agreement.price_medical is None
    assert list(inst.beds.values_list("label", "registered_from")) == [
        ("001", dt.date(2026, 1, 1)),
        ("002", dt.date(2026, 1, 1)),
        ("003", dt.date(2026, 1, 1)),
    ]
    assert selectors.registered_bed_count(institution=inst, on=dt.date(2026, 1, 1)) == 3
    assert InstitutionEvent.objects.get(institution=inst).action == "import"


def test_missing_agreement_or_insurance_never_valid_is_imported_as_applied_not_active(db):
    report = run(
        HEADER
        + row("XZ0001", insurance="2025-12-31")
        + row("XZ0002", credit=CC2, start="", end="", insurance="")
        + row("XZ0003", credit="", insurance="")
    )
    assert (report.applied, report.rejected) == (3, 0)
    first, second, third = Institution.objects.order_by("code")
    assert first.status == second.status == third.status == Institution.Status.APPLIED
    assert first.agreements.get().state == Agreement.State.DRAFT
    assert not second.agreements.exists()
    assert third.credit_code == ""
    assert selectors.active_agreement(institution=first, on=TODAY) is None
    assert selectors.agreement_days(institution_ids=[first.pk], start=dt.date(2026, 1, 1), end=TODAY) == {}


def test_insurance_expired_during_the_agreement_imports_suspended_with_the_days_before_in_force(db):
    report = run(HEADER + row(insurance="2026-04-30"))
    assert (report.applied, report.rejected) == (1, 0)
    inst = Institution.objects.get(code="XZ0001")
    assert inst.status == Institution.Status.SUSPENDED
    agreement = inst.agreements.get()
    assert agreement.state == Agreement.State.SUSPENDED
    assert selectors.active_agreement(institution=inst, on=TODAY) is None
    days = selectors.agreement_days(institution_ids=[inst.pk], start=dt.date(2026, 1, 1), end=TODAY)[inst.pk]
    assert [(a, b) for a, b, _ in days] == [(dt.date(2026, 1, 1), dt.date(2026, 4, 30))]
    assert list(inst.events.order_by("id").values_list("action", "to_status", "effective_on")) == [
        ("import", "active", dt.date(2026, 1, 1)),
        ("import", "suspended", dt.date(2026, 5, 1)),
    ]
    assert InsuranceNotice.objects.filter(agreement=agreement, kind="suspended").exists()
    again = run(HEADER + row(insurance="2026-04-30"))
    assert (again.applied, again.unchanged) == (0, 1)


def test_reimport_with_renewed_insurance_activates_an_institution_the_import_suspended(db):
    run(HEADER + row(insurance="2026-04-30"))
    report = run(HEADER + row(insurance="2027-04-30"))
    assert report.applied == 1
    inst = Institution.objects.get(code="XZ0001")
    assert inst.status == Institution.Status.ACTIVE
    assert inst.agreements.get().state == Agreement.State.ACTIVE
    assert selectors.active_agreement(institution=inst, on=TODAY) is not None
    assert selectors.active_agreement(institution=inst, on=dt.date(2026, 5, 15)) is None  # the gap stays
    assert (run(HEADER + row(insurance="2027-04-30")).unchanged) == 1


def test_reimport_never_lifts_a_suspension_staff_decided(db):
    from institutions import services

    run(HEADER + row())
    inst = Institution.objects.get(code="XZ0001")
    services.institution_suspend(institution=inst, actor=None, reason="违规暂停", on=TODAY)
    report = run(HEADER + row(insurance="2029-01-31"))
    assert report.applied == 1
    inst.refresh_from_db()
    assert inst.status == Institution.Status.SUSPENDED
    assert inst.agreements.get().insurance_expires_on == dt.date(2029, 1, 31)


def test_ended_agreement_is_kept_for_its_days_and_pipeline_state_is_not_reset(db):
    Institution.objects.create(
        code="XZ0002",
        name="机构XZ0002",
        type="elderly_care",
        region_code="320302",
        credit_code=CC2,
        status=Institution.Status.QUALIFICATION_REVIEW,
    )
    report = run(
        HEADER
        + row(start="2024-01-01", end="2025-12-31", insurance="2025-12-31")
        + row("XZ0002", credit=CC2, start="", end="", insurance="")
    )
    assert report.rejected == 0
    first = Institution.objects.get(code="XZ0001")
    assert first.status == Institution.Status.APPLIED
    assert first.agreements.get().state == Agreement.State.EXPIRED
    assert selectors.agreement_days(
        institution_ids=[first.pk], start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 30)
    )[first.pk][0][:2] == (dt.date(2025, 6, 1), dt.date(2025, 6, 30))
    assert Institution.objects.get(code="XZ0002").status == Institution.Status.QUALIFICATION_REVIEW


def test_too_long_names_are_row_errors_not_crashes(db):
    report = run(HEADER + row().replace("机构XZ0001", "长" * 201))
    assert [(e.row, e.field, bare(e)) for e in report.errors] == [
        (2, "name", "is longer than 200 characters")
    ]
    run(HEADER + row())
    text = CG_HEADER + f"XZ0001,{national_id(15)},{'名' * 101},,2026-01-01,\n"
    cg = import_caregivers(content=text.encode(), filename="cg.csv")
    assert [(e.row, e.field) for e in cg.errors] == [(2, "name")]
    assert not Caregiver.objects.exists()


def test_reimport_is_idempotent_and_updates_with_history(db):
    run(HEADER + row())
    again = run(HEADER + row())
    assert (again.applied, again.unchanged, again.rejected) == (0, 1, 0)
    changed = run(HEADER + row(beds="5", insurance="2028-12-31", life="50.00"))
    assert changed.applied == 1
    inst = Institution.objects.get(code="XZ0001")
    agreement = inst.agreements.get()
    assert agreement.price_life == 50 and agreement.insurance_expires_on == dt.date(2028, 12, 31)
    assert agreement.history.count() == 2
    assert selectors.registered_bed_count(institution=inst, on=TODAY) == 5
    assert selectors.registered_bed_count(institution=inst, on=dt.date(2026, 1, 1)) == 3
    lowered = run(HEADER + row(beds="2", insurance="2028-12-31", life="50.00"))
    assert lowered.applied == 1
    assert selectors.registered_bed_count(institution=inst, on=TODAY) == 2
    # Beds registered today and withdrawn the same day leave no trace; older beds end the day before.
    assert list(Bed.objects.filter(institution=inst).values_list("label", "registered_to")) == [
        ("001", None),
        ("002", None),
        ("003", TODAY - dt.timedelta(days=1)),
    ]


@pytest.mark.parametrize(
    "kwargs,field,reason",
    [
        (
            {"credit": "91350100M000100Y44"},
            "credit_code",
            "Wrong check character in the unified social credit code: 4, expected 3",
        ),
        (
            {"life": "60.01"},
            "price_life",
            "Agreed daily rate, personal care 60.01 yuan is above the payment standard in force, 60.00 yuan",
        ),
        (
            {"medical": "50.50"},
            "price_medical",
            "Agreed daily rate, medical care 50.50 yuan is above the payment standard in force, 50.00 yuan",
        ),
        ({"life": "-1"}, "price_life", "'-1' must not be negative"),
        (
            {"type": "hospital"},
            "type",
            "is not an allowed value (given: hospital; allowed: Elderly care home (elderly_care), Medical "
            "institution (medical), Community elderly care centre (community), Home care service company "
            "(home_care), Assessment agency (assessment_agency), Assistive device provider (device_provider))",
        ),
        (
            {"forms": "residential;spa"},
            "care_forms",
            "unknown code(s) spa (allowed: Residential care in an agreement institution (residential), Home visit "
            "services (home_visits), Family care + home visits (home_family), Cash allowance for out-of-area "
            "residence (remote_cash), Home care package (home_package_copay), Daily home care allowance "
            "(daily_allowance), Community care (community), Assistive devices (device), Disability prevention "
            "(prevention), separated by semicolons)",
        ),
        ({"beds": "two"}, "beds", "'two' is not a whole number of beds"),
        ({"end": ""}, "agreement_to", "is required when the other agreement date is given"),
        ({"end": "2025-12-31"}, "agreement_to", "2025-12-31 is before agreement_from 2026-01-01"),
        (
            {"insurance": "2026-13-01"},
            "insurance_expires_on",
            "'2026-13-01' is not a date in the form YYYY-MM-DD",
        ),
    ],
)
def test_bad_rows_are_rejected_with_row_field_and_reason_and_nothing_written(db, kwargs, field, reason):
    report = run(HEADER + row("XZ0009", credit=CC2) + row(**kwargs))
    assert report.applied == 1
    assert [(e.row, e.field, bare(e)) for e in report.errors] == [(3, field, reason)]
    assert not Institution.objects.filter(code="XZ0001").exists()


def test_lowering_beds_below_occupied_beds_is_a_row_error(db):
    run(HEADER + row(beds="3"))
    occupy(Institution.objects.get(), since=TODAY)
    report = run(HEADER + row(beds="2"))
    assert [(e.row, e.field, bare(e)) for e in report.errors] == [
        (2, "beds", "2 beds are fewer than the 3 residents")
    ]
    assert selectors.registered_bed_count(institution=Institution.objects.get(), on=TODAY) == 3


def test_duplicate_code_in_one_file_is_rejected(db):
    report = run(HEADER + row() + row())
    assert [(e.row, e.field) for e in report.errors] == [(3, "code")]


def test_wrong_header_rejects_the_file(db):
    report = run("code,name\nX,Y\n")
    assert report.file_error.startswith(
        "wrong header: missing column(s): 机构类型（type）, 行政区划代码（region_code）"
    )
    assert not Institution.objects.exists()


def test_import_institutions_command_prints_summary_and_writes_error_report(db, tmp_path, capsys):
    path = tmp_path / "inst.csv"
    path.write_text(HEADER + row() + row("XZ0002", credit="bad"), encoding="utf-8")
    call_command("import_institutions", str(path))
    out = capsys.readouterr()
    assert "2 rows, 1 applied, 0 unchanged, 1 rejected" in out.out
    assert "row 3, field credit_code" in out.err
    assert (tmp_path / "inst.csv.errors.csv").exists()
    with pytest.raises(CommandError):
        call_command("import_institutions", str(tmp_path / "missing.csv"))


CG_HEADER = "institution_code,national_id,name,qualification,employed_from,employed_to\n"


def test_caregivers_import_and_are_registered_for_their_period(db):
    run(HEADER + row())
    nid = national_id(11)
    text = CG_HEADER + f"XZ0001,{nid},张护理,养老护理员四级,2026-02-01,\n"
    report = import_caregivers(content=text.encode(), filename="cg.csv")
    assert (report.applied, report.rejected) == (1, 0)
    inst = Institution.objects.get(code="XZ0001")
    assert selectors.caregiver_registered(institution_id=inst.pk, national_id=nid, on=TODAY)
    assert not selectors.caregiver_registered(
        institution_id=inst.pk, national_id=nid, on=dt.date(2026, 1, 31)
    )
    again = import_caregivers(content=text.encode(), filename="cg.csv")
    assert (again.applied, again.unchanged) == (0, 1)
    ended = import_caregivers(
        content=(CG_HEADER + f"XZ0001,{nid},张护理,养老护理员四级,2026-02-01,2026-03-31\n").encode(),
        filename="cg.csv",
    )
    assert ended.applied == 1
    assert Employment.objects.get().employed_to == dt.date(2026, 3, 31)
    assert selectors.registered_caregivers(institution_ids=[inst.pk], start=TODAY, end=TODAY) == set()


def test_caregiver_rows_with_bad_id_unknown_institution_or_overlap_are_rejected(db):
    run(HEADER + row())
    nid = national_id(12)
    text = (
        CG_HEADER + f"XZ0001,{nid},王护理,,2026-01-01,\n"
        f"XZ0001,{nid[:-1]}0,李护理,,2026-01-01,\n"
        f"XZ9999,{national_id(13)},赵护理,,2026-01-01,\n"
        f"XZ0001,{nid},王护理,,2026-03-01,\n"
        f"XZ0001,{national_id(14)},钱护理,,2026-03-01,2026-02-01\n"
    )
    report = import_caregivers(content=text.encode(), filename="cg.csv")
    assert report.applied == 1
    assert [(e.row, e.field) for e in report.errors] == [
        (3, "national_id"),
        (4, "institution_code"),
        (5, "employed_from"),
        (6, "employed_to"),
    ]
    assert "check character" in report.errors[0].reason
    assert Caregiver.objects.count() == 1


def test_reimport_with_lapsed_insurance_suspends_an_active_institution(db):
    run(HEADER + row())
    report = run(HEADER + row(insurance="2026-05-31"))
    assert report.applied == 1
    inst = Institution.objects.get(code="XZ0001")
    assert inst.status == Institution.Status.SUSPENDED
    assert selectors.active_agreement(institution=inst, on=TODAY) is None
    assert selectors.active_agreement(institution=inst, on=dt.date(2026, 5, 31)) is not None
    again = run(HEADER + row(insurance="2026-05-31"))
    assert (again.applied, again.unchanged) == (0, 1)
    assert Institution.objects.get(code="XZ0001").status == Institution.Status.SUSPENDED


def test_institution_in_review_is_activated_by_an_import_with_agreement(db):
    Institution.objects.create(
        code="XZ0001",
        name="机构XZ0001",
        type="elderly_care",
        region_code="320302",
        credit_code=CC1,
        status=Institution.Status.QUALIFICATION_REVIEW,
    )
    run(HEADER + row())
    assert Institution.objects.get(code="XZ0001").status == Institution.Status.ACTIVE
