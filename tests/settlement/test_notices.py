"""Settlement's notices (issue 19): statement ready, payout paid or failed (to the person and their agent), claim
deadline; each once per event and recipient."""

import datetime as dt

from django.contrib.auth.models import User

from benefits.models import AgentContact, AgentLink, InsuredAccount
from institutions.models import Institution, InstitutionContact
from ltci.core.models import Notification
from settlement.imports import import_bank_return
from settlement.services.records import claim_reminders

from .conftest import D
from .test_payments import _bytes, approved, line, sent  # noqa: F401 (fixtures)


def notices(event):
    return list(Notification.objects.filter(event=event).order_by("recipient_kind", "recipient_ref"))


def test_approving_a_month_tells_each_institution_its_statement_is_ready(approved):  # noqa: F811
    run, institution, _ = approved
    ready = notices("statement_ready")
    assert [(n.recipient_kind, n.recipient_ref) for n in ready] == [
        ("institution", s.institution.code) for s in run.statements.order_by("institution__code")
    ]
    yl = next(n for n in ready if n.recipient_ref == "YL001")
    assert "2024年05月长期护理保险结算单" in yl.body and f"JS-202405-YL001-v{run.version}" in yl.body


def test_a_bank_return_tells_the_person_of_a_paid_or_failed_payout_once(sent, tmp_path):  # noqa: F811
    run, inst_payment, cash_payment = sent
    person = cash_payment.person
    agent_user = User.objects.create_user("agent1")
    agent = InsuredAccount.objects.create(national_id="320302198001010011", name="刘代办", user=agent_user)
    AgentLink.objects.create(account=agent, principal=person, valid_from=D(2024, 1, 1))
    AgentContact.objects.create(
        account=agent, mobile="13900000002", consent_on=D(2024, 1, 1), preferred_channel="sms"
    )
    lines = [line(inst_payment), line(cash_payment, status="failed", reason="账户已销户")]
    import_bank_return(content=_bytes(tmp_path, lines), filename="r.csv")
    import_bank_return(content=_bytes(tmp_path, lines), filename="r-again.csv")
    failed = notices("payout_failed")
    assert [(n.recipient_kind, n.recipient_name, n.channel) for n in failed] == [
        ("agent", "刘代办", "sms"),
        ("person", person.name, "letter"),
    ]
    assert failed[0].subject_ref == person.national_id
    assert "930.00元转账未成功（账户已销户）" in failed[1].body
    assert notices("payout_paid") == []  # the institution's payment is not a payout


def test_the_claim_deadline_reminder_tells_the_institution_once(world):
    InstitutionContact.objects.create(
        institution=Institution.objects.get(code="YL001"),
        email="yl001@example.cn",
        consent_on=dt.date(2024, 1, 1),
        preferred_channel="email",
    )
    claim_reminders(on=D(2024, 6, 2))
    claim_reminders(on=D(2024, 6, 3))
    due = [n for n in notices("claim_deadline") if n.recipient_ref == "YL001"]
    assert [(n.channel, n.address, n.event_key) for n in due] == [
        ("email", "yl001@example.cn", "claim:2024-05:due")
    ]
    assert "截止日为2024年6月5日" in due[0].body or "2024-06-05" in due[0].body
    claim_reminders(on=D(2024, 6, 6))
    assert Notification.objects.filter(event="claim_deadline", recipient_ref="YL001").count() == 2


def test_a_paid_payout_is_told_with_the_account_tail(sent, tmp_path):  # noqa: F811
    run, inst_payment, cash_payment = sent
    import_bank_return(content=_bytes(tmp_path, [line(cash_payment)]), filename="r.csv")
    (paid,) = notices("payout_paid")
    assert paid.recipient_ref == cash_payment.person.national_id
    assert "930.00元已于" in paid.body and f"尾号{cash_payment.account.account_no[-4:]}的账户" in paid.body
