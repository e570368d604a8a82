"""The pages of payments (issue 19): who may use each admin page and action, and who sees which payment."""
# ruff: noqa: F811 - the fixtures imported from test_payments are parameters here

import pytest
from django.contrib.auth.models import User

from benefits.services.accounts import account_activate, account_create, activation_code_issue
from institutions.models import Institution, InstitutionUser
from ltci.core import roles
from settlement.models import BankAccount, PaymentBatch

from .conftest import pay_through_the_bank, staff
from .test_payments import approved, card, institution_account, sent  # noqa: F401 - fixtures

RETURN = "/admin/settlement/paymentbatch/return/"
ACCOUNT_IMPORT = "/admin/settlement/bankaccount/import/"
ACCOUNT_ADD = "/admin/settlement/bankaccount/add/"


def bank_file_url(batch):
    return f"/admin/settlement/paymentbatch/{batch.pk}/bank-file/"


def portal_user(code, role="admin"):
    user = User.objects.create_user(f"{code}-{role}", password="pw")  # noqa: S106
    InstitutionUser.objects.create(user=user, institution=Institution.objects.get(code=code), role=role)
    return user


def test_anonymous_users_are_sent_to_the_login(client, sent):
    batch = PaymentBatch.objects.get()
    for url in (RETURN, ACCOUNT_IMPORT, ACCOUNT_ADD, bank_file_url(batch)):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


@pytest.mark.parametrize(
    "role", [roles.SETTLEMENT_OFFICER, roles.ASSESSMENT_COORDINATOR, roles.ENROLLMENT_CLERK]
)
def test_staff_without_the_payments_role_cannot_read_returns_or_download_bank_files(client, sent, role):
    client.force_login(staff("someone", role))
    assert client.get(RETURN).status_code == 403
    assert client.get(bank_file_url(PaymentBatch.objects.get())).status_code == 403


def test_the_accountant_reads_returns_and_downloads_bank_files_but_never_enters_accounts(client, sent):
    client.force_login(staff("acc", roles.FUND_ACCOUNTANT))
    assert client.get(RETURN).status_code == 200
    response = client.get(bank_file_url(PaymentBatch.objects.get()))
    assert response.status_code == 200 and b"PB202405-01-00001" in response.content
    assert client.get(ACCOUNT_IMPORT).status_code == 403
    assert client.get(ACCOUNT_ADD).status_code == 403


def test_a_portal_user_is_no_staff(client, sent):
    client.force_login(portal_user("YL001"))
    for url in (RETURN, ACCOUNT_IMPORT, bank_file_url(PaymentBatch.objects.get())):
        assert client.get(url).status_code == 302, url


def test_a_clerk_enters_an_account_checked_like_the_import(client, approved):
    _, _, cash = approved
    client.force_login(staff("clerk", roles.ENROLLMENT_CLERK))
    assert client.get(ACCOUNT_IMPORT).status_code == 200
    form = {"person": cash.pk, "bank_code": "102", "bank_name": "工行", "holder_name": "别人"}
    response = client.post(ACCOUNT_ADD, {**form, "account_no": "6222020000000000019"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "银行卡号校验位不正确" in page and "户名 别人 与参保人姓名 参保人 不符" in page
    assert not BankAccount.objects.exists()
    response = client.post(ACCOUNT_ADD, {**form, "holder_name": cash.name, "account_no": card(5)})
    assert response.status_code == 302
    assert BankAccount.objects.get().created_by.username == "clerk"


def test_the_batch_action_is_the_accountants(client, approved):
    run, inst, cash = approved
    client.force_login(staff("officer2", roles.SETTLEMENT_OFFICER))
    page = client.get("/admin/settlement/settlementrun/").content.decode()
    assert 'value="payment_batch"' not in page
    client.post("/admin/settlement/settlementrun/", {"action": "payment_batch", "_selected_action": [run.pk]})
    assert not PaymentBatch.objects.exists()
    client.force_login(staff("acc", roles.FUND_ACCOUNTANT))
    action = {"action": "payment_batch", "_selected_action": [run.pk]}
    client.post("/admin/settlement/settlementrun/", action)
    assert not PaymentBatch.objects.exists()  # nobody has an account: nothing to send
    institution_account(inst)
    response = client.post("/admin/settlement/settlementrun/", action, follow=True)
    assert "已生成支付批次" in response.content.decode()
    batch = PaymentBatch.objects.get()
    assert batch.number == "PB202405-01" and batch.created_by.username == "acc"
    assert batch.payments.count() == 1  # the person without an account is held for the next batch


def test_the_portal_shows_the_institutions_own_payments_only(client, world, approved):
    run, inst, cash = approved
    pay_through_the_bank(run, failed=("YL001",))
    client.force_login(portal_user("YL001"))
    page = client.get("/portal/settlement/").content.decode()
    assert "PB202405-01-00001" in page and "支付失败" in page and "账户已销户" in page
    other = Institution.objects.exclude(code="YL001").first()
    client.force_login(portal_user(other.code))
    assert "PB202405-01-00001" not in client.get("/portal/settlement/").content.decode()


def test_the_persons_page_shows_each_payment_and_another_person_sees_none(client, world, approved):
    run, inst, cash = approved
    pay_through_the_bank(run)
    account = account_create(national_id=cash.national_id, name=cash.name, person=cash)
    code = activation_code_issue(account=account)
    client.force_login(
        account_activate(national_id=account.national_id, code=code, password="Kx9-long-pw-1").user  # noqa: S106
    )
    page = client.get("/me/").content.decode()
    assert 'id="payments"' in page and "930.00" in page and "已到账" in page and "****" in page
    assert cash.national_id not in page.split('id="payments"')[1]  # only the masked account
    nid = world.beneficiary(form="remote_cash")
    from enrollment.models import Person

    stranger = Person.objects.get(national_id=nid)
    account = account_create(national_id=stranger.national_id, name=stranger.name, person=stranger)
    code = activation_code_issue(account=account)
    client.force_login(
        account_activate(national_id=account.national_id, code=code, password="Kx9-long-pw-2").user  # noqa: S106
    )
    assert 'id="payments"' not in client.get("/me/").content.decode()


def _case(person):
    return f"/admin/enrollment/person/{person.pk}/case/"


def test_the_case_page_shows_each_payment_of_the_person_with_its_state(client, world, approved):
    run, inst, cash = approved
    pay_through_the_bank(run, failed=(cash.national_id,))
    client.force_login(staff("case-clerk", roles.ENROLLMENT_CLERK))
    page = client.get(_case(cash)).content.decode()
    section = page.split('id="payments"')[1].split("</table>")[0]
    assert "补助支付" in page and "PB202405-01-00002" in section and "PB202405-01" in section
    assert "支付失败" in section and "账户已销户" in section and "¥930.00" in section and "****" in section
    assert 'class="payment-failed"' in section and "PB202405-01-00001" not in section  # the institution's
    from settlement.services.payments import payment_batch_create

    from .test_payments import person_account

    person_account(cash, number=card(77))  # the account corrected: the failed payment goes out again
    batch = payment_batch_create(run=run)
    section = client.get(_case(cash)).content.decode().split('id="payments"')[1].split("</table>")[0]
    assert batch.number in section and "已发送银行" in section and "补发 PB202405-01-00002" in section


@pytest.mark.parametrize("role", [roles.ASSESSMENT_COORDINATOR, roles.BENEFIT_AUDITOR])
def test_staff_who_may_not_view_payments_see_the_case_page_without_them(client, world, approved, role):
    run, inst, cash = approved
    pay_through_the_bank(run)
    client.force_login(staff("case-other", role))
    response = client.get(_case(cash))
    if response.status_code == 200:
        assert 'id="payments"' not in response.content.decode()
    else:
        assert response.status_code == 403


def test_the_case_page_is_refused_to_anonymous_portal_and_roleless_users(client, world, approved):
    run, inst, cash = approved
    pay_through_the_bank(run)
    response = client.get(_case(cash))
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(portal_user("YL001"))
    assert client.get(_case(cash)).status_code == 302
    client.force_login(staff("case-none"))
    assert client.get(_case(cash)).status_code == 403
