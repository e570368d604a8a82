"""Finding 12 (issue 13): the bank file, the settlement export and the statement CSV are spreadsheet-safe."""

import csv
import io

from enrollment.models import Person
from institutions.models import Institution
from settlement.apis import statement_csv_response
from settlement.models import Statement
from settlement.services.payments import AccountInput, bank_account_register, bank_file
from settlement.services.run import settlement_run

from .conftest import D, pay_through_the_bank
from .test_lifecycle import _approve, may  # noqa: F401 - the fixture


def test_bank_file_neutralises_names_and_keeps_amounts(world, may):  # noqa: F811
    run, nid, officer = may
    person = world.beneficiary(form="remote_cash")
    Institution.objects.filter(code="YL001").update(name='=HYPERLINK("http://evil","点击")')
    Person.objects.filter(national_id=person).update(name="-2+3")
    run = _approve(settlement_run(month=D(2024, 5, 1), actor=officer), officer)
    inst = Institution.objects.get(code="YL001")
    bank_account_register(
        institution=inst, data=AccountInput("102", "@SUM(1)", "6222020200112233", inst.name)
    )
    batch = pay_through_the_bank(run)
    rows = list(csv.reader(io.StringIO(bank_file(batch=batch).decode("utf-8-sig"))))
    institution, payee = rows[1], rows[2]
    assert institution[3:8] == [
        '\'=HYPERLINK("http://evil","点击")',
        "102",
        "'@SUM(1)",
        "6222020200112233",
        '\'=HYPERLINK("http://evil","点击")',
    ]
    assert institution[8] == "1236.90" and payee[3] == "'-2+3"


def test_settlement_export_and_statement_csv_neutralise_codes(world, may):  # noqa: F811
    run, nid, officer = may
    Institution.objects.filter(code="YL001").update(code="=YL001")
    line = next(r for r in world.export() if r["national_id"] == nid)
    assert line["institution_code"] == "'=YL001" and line["fund_amount"] == "1302.00"
    statement = Statement.objects.get(run=run)
    body = statement_csv_response(statement).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body)))[1][1] == "'=YL001"
