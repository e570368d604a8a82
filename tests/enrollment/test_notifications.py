"""Enrollment's notices (issue 19): arrears, their recovery (by an account credit or a payment) and the end of
the waiting period, each once per contribution or waiting period."""

import datetime as dt

from enrollment import tasks
from enrollment.selectors import _waiting_months, waiting_ended_on
from enrollment.services.run import contribution_mark_arrears, contribution_run_year, waiting_ended_notify
from ltci.core.dates import add_months
from ltci.core.models import Notification

from .conftest import nid
from .test_arrears_order import employee, events, pay  # noqa: F401 (fixture)


def told(event):
    return list(Notification.objects.filter(event=event, recipient_ref=nid(1)))


def test_arrears_tell_the_person_once_and_a_credit_recovering_them_tells_again(employee):  # noqa: F811
    contribution_run_year(year=2025, on=dt.date(2025, 1, 20))  # balance 5 transferred: 15 short
    assert told("arrears") == []
    assert contribution_mark_arrears(on=dt.date(2025, 2, 10)) == 1
    contribution_mark_arrears(on=dt.date(2025, 2, 11))
    tasks.contribution_mark_arrears(on="2025-02-12")
    (arrears,) = told("arrears")
    assert arrears.subject == "长护险缴费欠费提醒"
    assert "您2025年度长期护理保险个人缴费尚欠15.00元" in arrears.body
    events(f"{nid(1)},credit,100.00,2025-03-05")
    (recovered,) = told("arrears_recovered")
    assert "已于2025年3月5日补缴足额" in recovered.body


def test_a_payment_recovering_arrears_tells_the_person(employee):  # noqa: F811
    contribution_run_year(year=2025, on=dt.date(2025, 1, 20))
    contribution_mark_arrears(on=dt.date(2025, 2, 10))
    pay(f"{nid(1)},2025,15.00,2025-03-01,cash,")
    assert len(told("arrears_recovered")) == 1


def test_the_end_of_the_waiting_period_after_a_late_payment_is_told_once(employee):  # noqa: F811
    """Paid in full late (2025-03-05): a waiting period follows; the day benefits become payable the person is
    told, by the daily job, once."""
    contribution_run_year(year=2025, on=dt.date(2025, 1, 20))
    events(f"{nid(1)},credit,100.00,2025-03-05")
    payable = add_months(dt.date(2025, 3, 6), _waiting_months(dt.date(2025, 3, 5)))
    assert waiting_ended_on(payable - dt.timedelta(days=1)) == []
    assert len(waiting_ended_on(payable)) == 1
    assert waiting_ended_notify(on=payable) == 1
    tasks.contribution_mark_arrears(on=payable.isoformat())
    (ended,) = told("waiting_ended")
    assert ended.event_key == f"payable:{payable.isoformat()}"
    assert f"自{payable.year}年{payable.month}月{payable.day}日起可按规定享受" in ended.body
