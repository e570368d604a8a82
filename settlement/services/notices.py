"""What settlement tells institutions and persons (issue 19): a statement ready, a payout paid or failed, the
claim deadline. Each notice goes through the one notification service, once per event and recipient."""

from __future__ import annotations

from benefits.selectors import person_and_agent_recipients
from institutions.selectors import institution_recipient
from ltci.core.notify import Event, notify, notify_many

from ..models import Payment, SettlementRun


def statements_ready_notify(run: SettlementRun) -> None:
    """Tell each institution of an approved month that its statement is ready."""
    items = [
        (
            f"statement:{statement.pk}",
            institution_recipient(statement.institution),
            {
                "month": f"{run.month:%Y年%m月}",
                "number": statement.document_no,
                "amount": statement.net_payable,
            },
        )
        for statement in run.statements.select_related("institution", "run")
    ]
    notify_many(event=Event.STATEMENT_READY, items=items)


def payments_returned_notify(payments) -> None:
    """Tell the person (and their agents) of each payout the bank confirmed paid or returned failed."""
    for payment in payments:
        if payment.person_id is None or payment.state not in (Payment.State.PAID, Payment.State.FAILED):
            continue
        paid = payment.state == Payment.State.PAID
        notify(
            event=Event.PAYOUT_PAID if paid else Event.PAYOUT_FAILED,
            key=f"payment:{payment.pk}",
            recipients=person_and_agent_recipients(
                payment.person, on=payment.value_date or payment.run.month
            ),
            context={
                "month": f"{payment.run.month:%Y年%m月}",
                "amount": payment.amount,
                "paid_on": payment.value_date,
                "account_tail": payment.account.account_no[-4:] if payment.account_id else "",
                "reason": payment.bank_reason,
            },
        )


def claim_deadline_notify(*, institution, month, deadline, overdue: bool) -> None:
    """Tell an institution that its claim for the month is due or overdue (the daily claim reminders)."""
    notify(
        event=Event.CLAIM_DEADLINE,
        key=f"claim:{month:%Y-%m}:{'overdue' if overdue else 'due'}",
        recipients=[institution_recipient(institution)],
        context={"month": f"{month:%Y年%m月}", "deadline": deadline, "overdue": overdue},
    )
