"""Payments and bank returns (issue 19): the ledger books a statement or payout when its payment is
confirmed by the bank, on the value date (settlement.services.fund.SOURCES, frozen here as trigger_sql()
generated it); role permissions for the new models; institutions' bank fields become their first accounts.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION ledger_follows_payment_update() RETURNS trigger AS $$
BEGIN
INSERT INTO settlement_ledgerentry (reference, booked_on, account, source, region_code, amount, memo,
                                            created_at)
        SELECT e.ref, e.booked_on, CASE e.account WHEN 'pooled_fund' THEN 'income_pooled_fund' WHEN 'fiscal' THEN 'income_fiscal' WHEN 'fiscal_city' THEN 'income_fiscal' WHEN 'fiscal_district' THEN 'income_fiscal' WHEN 'fiscal_subsidy' THEN 'income_fiscal' WHEN 'employer' THEN 'income_employer' WHEN 'collective_city' THEN 'income_collective' WHEN 'collective_town' THEN 'income_collective' WHEN 'donation' THEN 'income_donation' WHEN 'interest' THEN 'income_interest' ELSE e.account END, e.source, coalesce(e.region, ''), e.amount,
               coalesce(e.memo, ''), now()
        FROM ((
        SELECT 'statement:' || s.id, coalesce(pm.value_date, (r.approved_at AT TIME ZONE 'Asia/Shanghai')::date),
               'expense_institution', 'settlement', i.region_code, -(s.fund_payable + s.adjustments),
               left('结算 ' || to_char(r.month, 'YYYY-MM') || ' ' || i.code, 200)
        FROM settlement_statement s JOIN settlement_settlementrun r ON r.id = s.run_id
        JOIN institutions_institution i ON i.id = s.institution_id
        LEFT JOIN settlement_payment pm ON pm.statement_id = s.id AND pm.state = 'paid'
        WHERE r.state IN ('approved', 'paid') AND (s.fund_payable + s.adjustments) <> 0
          AND (pm.id IS NOT NULL OR s.net_payable <= 0) AND pm.id IN (SELECT id FROM new_rows)) UNION ALL (
        SELECT 'recovery:' || s.id, coalesce(pm.value_date, (r.approved_at AT TIME ZONE 'Asia/Shanghai')::date),
               'income_recovery', 'settlement', i.region_code, s.recovered,
               left('追回 ' || to_char(r.month, 'YYYY-MM') || ' ' || i.code, 200)
        FROM settlement_statement s JOIN settlement_settlementrun r ON r.id = s.run_id
        JOIN institutions_institution i ON i.id = s.institution_id
        LEFT JOIN settlement_payment pm ON pm.statement_id = s.id AND pm.state = 'paid'
        WHERE r.state IN ('approved', 'paid') AND s.recovered <> 0
          AND (pm.id IS NOT NULL OR s.net_payable <= 0) AND pm.id IN (SELECT id FROM new_rows)) UNION ALL (
        SELECT 'payout:' || p.id, coalesce(pm.value_date, (r.approved_at AT TIME ZONE 'Asia/Shanghai')::date),
               'expense_payout', 'settlement', pe.region_code, -p.amount, '补助 ' || to_char(r.month, 'YYYY-MM')
        FROM settlement_payout p JOIN settlement_settlementrun r ON r.id = p.run_id
        JOIN enrollment_person pe ON pe.id = p.person_id
        LEFT JOIN settlement_payment pm ON pm.payout_id = p.id AND pm.state = 'paid'
        WHERE r.state IN ('approved', 'paid') AND p.amount <> 0 AND (pm.id IS NOT NULL OR p.amount < 0)
          AND pm.id IN (SELECT id FROM new_rows))) AS e(ref, booked_on, account, source, region, amount, memo)
        ON CONFLICT (reference) DO NOTHING;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS ledger_follows_payment_update ON settlement_payment;
CREATE TRIGGER ledger_follows_payment_update AFTER UPDATE ON settlement_payment REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_follows_payment_update();
CREATE OR REPLACE FUNCTION ledger_follows_payout_insert() RETURNS trigger AS $$
BEGIN
INSERT INTO settlement_ledgerentry (reference, booked_on, account, source, region_code, amount, memo,
                                            created_at)
        SELECT e.ref, e.booked_on, CASE e.account WHEN 'pooled_fund' THEN 'income_pooled_fund' WHEN 'fiscal' THEN 'income_fiscal' WHEN 'fiscal_city' THEN 'income_fiscal' WHEN 'fiscal_district' THEN 'income_fiscal' WHEN 'fiscal_subsidy' THEN 'income_fiscal' WHEN 'employer' THEN 'income_employer' WHEN 'collective_city' THEN 'income_collective' WHEN 'collective_town' THEN 'income_collective' WHEN 'donation' THEN 'income_donation' WHEN 'interest' THEN 'income_interest' ELSE e.account END, e.source, coalesce(e.region, ''), e.amount,
               coalesce(e.memo, ''), now()
        FROM ((
        SELECT 'payout:' || p.id, coalesce(pm.value_date, (r.approved_at AT TIME ZONE 'Asia/Shanghai')::date),
               'expense_payout', 'settlement', pe.region_code, -p.amount, '补助 ' || to_char(r.month, 'YYYY-MM')
        FROM settlement_payout p JOIN settlement_settlementrun r ON r.id = p.run_id
        JOIN enrollment_person pe ON pe.id = p.person_id
        LEFT JOIN settlement_payment pm ON pm.payout_id = p.id AND pm.state = 'paid'
        WHERE r.state IN ('approved', 'paid') AND p.amount <> 0 AND (pm.id IS NOT NULL OR p.amount < 0)
          AND p.id IN (SELECT id FROM new_rows))) AS e(ref, booked_on, account, source, region, amount, memo)
        ON CONFLICT (reference) DO NOTHING;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS ledger_follows_payout_insert ON settlement_payout;
CREATE TRIGGER ledger_follows_payout_insert AFTER INSERT ON settlement_payout REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_follows_payout_insert();
CREATE OR REPLACE FUNCTION ledger_follows_settlementrun_update() RETURNS trigger AS $$
BEGIN
INSERT INTO settlement_ledgerentry (reference, booked_on, account, source, region_code, amount, memo,
                                            created_at)
        SELECT e.ref, e.booked_on, CASE e.account WHEN 'pooled_fund' THEN 'income_pooled_fund' WHEN 'fiscal' THEN 'income_fiscal' WHEN 'fiscal_city' THEN 'income_fiscal' WHEN 'fiscal_district' THEN 'income_fiscal' WHEN 'fiscal_subsidy' THEN 'income_fiscal' WHEN 'employer' THEN 'income_employer' WHEN 'collective_city' THEN 'income_collective' WHEN 'collective_town' THEN 'income_collective' WHEN 'donation' THEN 'income_donation' WHEN 'interest' THEN 'income_interest' ELSE e.account END, e.source, coalesce(e.region, ''), e.amount,
               coalesce(e.memo, ''), now()
        FROM ((
        SELECT 'statement:' || s.id, coalesce(pm.value_date, (r.approved_at AT TIME ZONE 'Asia/Shanghai')::date),
               'expense_institution', 'settlement', i.region_code, -(s.fund_payable + s.adjustments),
               left('结算 ' || to_char(r.month, 'YYYY-MM') || ' ' || i.code, 200)
        FROM settlement_statement s JOIN settlement_settlementrun r ON r.id = s.run_id
        JOIN institutions_institution i ON i.id = s.institution_id
        LEFT JOIN settlement_payment pm ON pm.statement_id = s.id AND pm.state = 'paid'
        WHERE r.state IN ('approved', 'paid') AND (s.fund_payable + s.adjustments) <> 0
          AND (pm.id IS NOT NULL OR s.net_payable <= 0) AND r.id IN (SELECT id FROM new_rows)) UNION ALL (
        SELECT 'recovery:' || s.id, coalesce(pm.value_date, (r.approved_at AT TIME ZONE 'Asia/Shanghai')::date),
               'income_recovery', 'settlement', i.region_code, s.recovered,
               left('追回 ' || to_char(r.month, 'YYYY-MM') || ' ' || i.code, 200)
        FROM settlement_statement s JOIN settlement_settlementrun r ON r.id = s.run_id
        JOIN institutions_institution i ON i.id = s.institution_id
        LEFT JOIN settlement_payment pm ON pm.statement_id = s.id AND pm.state = 'paid'
        WHERE r.state IN ('approved', 'paid') AND s.recovered <> 0
          AND (pm.id IS NOT NULL OR s.net_payable <= 0) AND r.id IN (SELECT id FROM new_rows)) UNION ALL (
        SELECT 'payout:' || p.id, coalesce(pm.value_date, (r.approved_at AT TIME ZONE 'Asia/Shanghai')::date),
               'expense_payout', 'settlement', pe.region_code, -p.amount, '补助 ' || to_char(r.month, 'YYYY-MM')
        FROM settlement_payout p JOIN settlement_settlementrun r ON r.id = p.run_id
        JOIN enrollment_person pe ON pe.id = p.person_id
        LEFT JOIN settlement_payment pm ON pm.payout_id = p.id AND pm.state = 'paid'
        WHERE r.state IN ('approved', 'paid') AND p.amount <> 0 AND (pm.id IS NOT NULL OR p.amount < 0)
          AND r.id IN (SELECT id FROM new_rows))) AS e(ref, booked_on, account, source, region, amount, memo)
        ON CONFLICT (reference) DO NOTHING;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS ledger_follows_settlementrun_update ON settlement_settlementrun;
CREATE TRIGGER ledger_follows_settlementrun_update AFTER UPDATE ON settlement_settlementrun REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_follows_settlementrun_update();
CREATE OR REPLACE FUNCTION ledger_follows_statement_insert() RETURNS trigger AS $$
BEGIN
INSERT INTO settlement_ledgerentry (reference, booked_on, account, source, region_code, amount, memo,
                                            created_at)
        SELECT e.ref, e.booked_on, CASE e.account WHEN 'pooled_fund' THEN 'income_pooled_fund' WHEN 'fiscal' THEN 'income_fiscal' WHEN 'fiscal_city' THEN 'income_fiscal' WHEN 'fiscal_district' THEN 'income_fiscal' WHEN 'fiscal_subsidy' THEN 'income_fiscal' WHEN 'employer' THEN 'income_employer' WHEN 'collective_city' THEN 'income_collective' WHEN 'collective_town' THEN 'income_collective' WHEN 'donation' THEN 'income_donation' WHEN 'interest' THEN 'income_interest' ELSE e.account END, e.source, coalesce(e.region, ''), e.amount,
               coalesce(e.memo, ''), now()
        FROM ((
        SELECT 'statement:' || s.id, coalesce(pm.value_date, (r.approved_at AT TIME ZONE 'Asia/Shanghai')::date),
               'expense_institution', 'settlement', i.region_code, -(s.fund_payable + s.adjustments),
               left('结算 ' || to_char(r.month, 'YYYY-MM') || ' ' || i.code, 200)
        FROM settlement_statement s JOIN settlement_settlementrun r ON r.id = s.run_id
        JOIN institutions_institution i ON i.id = s.institution_id
        LEFT JOIN settlement_payment pm ON pm.statement_id = s.id AND pm.state = 'paid'
        WHERE r.state IN ('approved', 'paid') AND (s.fund_payable + s.adjustments) <> 0
          AND (pm.id IS NOT NULL OR s.net_payable <= 0) AND s.id IN (SELECT id FROM new_rows)) UNION ALL (
        SELECT 'recovery:' || s.id, coalesce(pm.value_date, (r.approved_at AT TIME ZONE 'Asia/Shanghai')::date),
               'income_recovery', 'settlement', i.region_code, s.recovered,
               left('追回 ' || to_char(r.month, 'YYYY-MM') || ' ' || i.code, 200)
        FROM settlement_statement s JOIN settlement_settlementrun r ON r.id = s.run_id
        JOIN institutions_institution i ON i.id = s.institution_id
        LEFT JOIN settlement_payment pm ON pm.statement_id = s.id AND pm.state = 'paid'
        WHERE r.state IN ('approved', 'paid') AND s.recovered <> 0
          AND (pm.id IS NOT NULL OR s.net_payable <= 0) AND s.id IN (SELECT id FROM new_rows))) AS e(ref, booked_on, account, source, region, amount, memo)
        ON CONFLICT (reference) DO NOTHING;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS ledger_follows_statement_insert ON settlement_statement;
CREATE TRIGGER ledger_follows_statement_insert AFTER INSERT ON settlement_statement REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_follows_statement_insert();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS ledger_follows_payment_update ON settlement_payment;
DROP FUNCTION IF EXISTS ledger_follows_payment_update();
"""

OFFICER, SUPERVISOR, ACCOUNTANT, CLERK = "结算专员", "主管", "基金会计", "参保登记员"
VIEW = ["bankaccount", "paymentbatch", "payment"]
GRANTS = {
    OFFICER: ["add_bankaccount"],
    SUPERVISOR: ["add_bankaccount"],
    CLERK: ["add_bankaccount"],
    ACCOUNTANT: [],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("settlement")
    config.models_module = True  # the migration state's app config has none; permissions need it
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="settlement")
    for name, extra in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*perms.filter(codename__in=[f"view_{m}" for m in VIEW] + extra))


def institution_accounts(apps, schema_editor):
    """An institution's bank fields of the profile become its first account (holder: its name), when the
    number is digits of a payable length; the fields stay as the profile's text."""
    import datetime as dt

    Institution = apps.get_model("institutions", "Institution")
    BankAccount = apps.get_model("settlement", "BankAccount")
    for inst in Institution.objects.exclude(bank_account=""):
        number = "".join(inst.bank_account.split())
        if number.isdigit() and 8 <= len(number) <= 32 and not BankAccount.objects.filter(institution=inst).exists():
            BankAccount.objects.create(
                institution=inst,
                bank_code="",
                bank_name=inst.bank_name or "",
                account_no=number,
                holder_name=inst.name,
                valid_from=dt.date.today(),
                origin="migrated",
            )


class Migration(migrations.Migration):
    dependencies = [("settlement", "0019_bank_accounts_and_payments"), ("core", "0002_staff_groups")]
    operations = [
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(institution_accounts, migrations.RunPython.noop),
    ]
