"""The ledger triggers re-installed from the merged SOURCES (settlement.services.fund): the reserve and operating
costs (0019_reserve_and_operating_costs) and postings on confirmed payments (0020_ledger_books_confirmed_payments)
each froze their own; this freezes what trigger_sql() generates from both."""

from django.db import migrations

FORWARD = r"""CREATE OR REPLACE FUNCTION ledger_follows_assessmentfee_insert() RETURNS trigger AS $$
BEGIN
INSERT INTO settlement_ledgerentry (reference, booked_on, account, source, region_code, amount, memo,
                                            created_at)
        SELECT e.ref, e.booked_on, CASE e.account WHEN 'pooled_fund' THEN 'income_pooled_fund' WHEN 'fiscal' THEN 'income_fiscal' WHEN 'fiscal_city' THEN 'income_fiscal' WHEN 'fiscal_district' THEN 'income_fiscal' WHEN 'fiscal_subsidy' THEN 'income_fiscal' WHEN 'employer' THEN 'income_employer' WHEN 'collective_city' THEN 'income_collective' WHEN 'collective_town' THEN 'income_collective' WHEN 'donation' THEN 'income_donation' WHEN 'interest' THEN 'income_interest' ELSE e.account END, e.source, coalesce(e.region, ''), e.amount,
               coalesce(e.memo, ''), now()
        FROM ((
        SELECT 'assessment_fee:' || a.id, a.incurred_on, 'expense_assessment', 'assessment', a.region_code,
               -a.amount, '评估费 ' || a.kind
        FROM assessment_assessmentfee a WHERE a.payer = 'fund' AND a.id IN (SELECT id FROM new_rows))) AS e(ref, booked_on, account, source, region, amount, memo)
        ON CONFLICT (reference) DO NOTHING;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS ledger_follows_assessmentfee_insert ON assessment_assessmentfee;
CREATE TRIGGER ledger_follows_assessmentfee_insert AFTER INSERT ON assessment_assessmentfee REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_follows_assessmentfee_insert();
CREATE OR REPLACE FUNCTION ledger_follows_contributiontransaction_insert() RETURNS trigger AS $$
BEGIN
INSERT INTO settlement_ledgerentry (reference, booked_on, account, source, region_code, amount, memo,
                                            created_at)
        SELECT e.ref, e.booked_on, CASE e.account WHEN 'pooled_fund' THEN 'income_pooled_fund' WHEN 'fiscal' THEN 'income_fiscal' WHEN 'fiscal_city' THEN 'income_fiscal' WHEN 'fiscal_district' THEN 'income_fiscal' WHEN 'fiscal_subsidy' THEN 'income_fiscal' WHEN 'employer' THEN 'income_employer' WHEN 'collective_city' THEN 'income_collective' WHEN 'collective_town' THEN 'income_collective' WHEN 'donation' THEN 'income_donation' WHEN 'interest' THEN 'income_interest' ELSE e.account END, e.source, coalesce(e.region, ''), e.amount,
               coalesce(e.memo, ''), now()
        FROM ((
        SELECT 'contribution_tx:' || t.id, t.occurred_on, 'income_individual', 'contribution', c.region_code,
               t.amount, t.kind || ' ' || c.year
        FROM enrollment_contributiontransaction t JOIN enrollment_contribution c ON c.id = t.contribution_id
        WHERE t.kind <> 'fiscal_subsidy' AND t.id IN (SELECT id FROM new_rows))) AS e(ref, booked_on, account, source, region, amount, memo)
        ON CONFLICT (reference) DO NOTHING;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS ledger_follows_contributiontransaction_insert ON enrollment_contributiontransaction;
CREATE TRIGGER ledger_follows_contributiontransaction_insert AFTER INSERT ON enrollment_contributiontransaction REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_follows_contributiontransaction_insert();
CREATE OR REPLACE FUNCTION ledger_follows_fundincome_insert() RETURNS trigger AS $$
BEGIN
INSERT INTO settlement_ledgerentry (reference, booked_on, account, source, region_code, amount, memo,
                                            created_at)
        SELECT e.ref, e.booked_on, CASE e.account WHEN 'pooled_fund' THEN 'income_pooled_fund' WHEN 'fiscal' THEN 'income_fiscal' WHEN 'fiscal_city' THEN 'income_fiscal' WHEN 'fiscal_district' THEN 'income_fiscal' WHEN 'fiscal_subsidy' THEN 'income_fiscal' WHEN 'employer' THEN 'income_employer' WHEN 'collective_city' THEN 'income_collective' WHEN 'collective_town' THEN 'income_collective' WHEN 'donation' THEN 'income_donation' WHEN 'interest' THEN 'income_interest' ELSE e.account END, e.source, coalesce(e.region, ''), e.amount,
               coalesce(e.memo, ''), now()
        FROM ((
        SELECT 'fund_income:' || f.id, f.booked_on, f.source, 'fund_income', f.region_code, f.amount,
               left(coalesce(nullif(f.donor, ''), f.source) || ' ' || f.year, 200)
        FROM enrollment_fundincome f WHERE f.id IN (SELECT id FROM new_rows))) AS e(ref, booked_on, account, source, region, amount, memo)
        ON CONFLICT (reference) DO NOTHING;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS ledger_follows_fundincome_insert ON enrollment_fundincome;
CREATE TRIGGER ledger_follows_fundincome_insert AFTER INSERT ON enrollment_fundincome REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_follows_fundincome_insert();
CREATE OR REPLACE FUNCTION ledger_follows_depositrelease_insert() RETURNS trigger AS $$
BEGIN
INSERT INTO settlement_ledgerentry (reference, booked_on, account, source, region_code, amount, memo,
                                            created_at)
        SELECT e.ref, e.booked_on, CASE e.account WHEN 'pooled_fund' THEN 'income_pooled_fund' WHEN 'fiscal' THEN 'income_fiscal' WHEN 'fiscal_city' THEN 'income_fiscal' WHEN 'fiscal_district' THEN 'income_fiscal' WHEN 'fiscal_subsidy' THEN 'income_fiscal' WHEN 'employer' THEN 'income_employer' WHEN 'collective_city' THEN 'income_collective' WHEN 'collective_town' THEN 'income_collective' WHEN 'donation' THEN 'income_donation' WHEN 'interest' THEN 'income_interest' ELSE e.account END, e.source, coalesce(e.region, ''), e.amount,
               coalesce(e.memo, ''), now()
        FROM ((
        SELECT 'deposit_kept:' || d.id, (d.created_at AT TIME ZONE 'Asia/Shanghai')::date, 'income_deposit_kept',
               'settlement', i.region_code, d.withheld - d.released,
               left('扣留保证金 ' || d.year || ' ' || i.code, 200)
        FROM settlement_depositrelease d JOIN institutions_institution i ON i.id = d.institution_id
        WHERE d.withheld - d.released <> 0 AND d.id IN (SELECT id FROM new_rows))) AS e(ref, booked_on, account, source, region, amount, memo)
        ON CONFLICT (reference) DO NOTHING;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS ledger_follows_depositrelease_insert ON settlement_depositrelease;
CREATE TRIGGER ledger_follows_depositrelease_insert AFTER INSERT ON settlement_depositrelease REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_follows_depositrelease_insert();
CREATE OR REPLACE FUNCTION ledger_follows_handlingfee_insert() RETURNS trigger AS $$
BEGIN
INSERT INTO settlement_ledgerentry (reference, booked_on, account, source, region_code, amount, memo,
                                            created_at)
        SELECT e.ref, e.booked_on, CASE e.account WHEN 'pooled_fund' THEN 'income_pooled_fund' WHEN 'fiscal' THEN 'income_fiscal' WHEN 'fiscal_city' THEN 'income_fiscal' WHEN 'fiscal_district' THEN 'income_fiscal' WHEN 'fiscal_subsidy' THEN 'income_fiscal' WHEN 'employer' THEN 'income_employer' WHEN 'collective_city' THEN 'income_collective' WHEN 'collective_town' THEN 'income_collective' WHEN 'donation' THEN 'income_donation' WHEN 'interest' THEN 'income_interest' ELSE e.account END, e.source, coalesce(e.region, ''), e.amount,
               coalesce(e.memo, ''), now()
        FROM ((
        SELECT 'handling_fee:' || h.id, h.month, 'expense_' || h.kind, 'handling_fee', h.region_code, -h.amount,
               left(CASE h.kind WHEN 'publicity' THEN '宣传费用 ' WHEN 'legal' THEN '法律顾问服务费用 '
                    ELSE '经办服务费 ' END || h.note, 200)
        FROM settlement_handlingfee h WHERE h.id IN (SELECT id FROM new_rows))) AS e(ref, booked_on, account, source, region, amount, memo)
        ON CONFLICT (reference) DO NOTHING;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS ledger_follows_handlingfee_insert ON settlement_handlingfee;
CREATE TRIGGER ledger_follows_handlingfee_insert AFTER INSERT ON settlement_handlingfee REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_follows_handlingfee_insert();
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
CREATE OR REPLACE FUNCTION ledger_follows_reserveallocation_insert() RETURNS trigger AS $$
BEGIN
INSERT INTO settlement_ledgerentry (reference, booked_on, account, source, region_code, amount, memo,
                                            created_at)
        SELECT e.ref, e.booked_on, CASE e.account WHEN 'pooled_fund' THEN 'income_pooled_fund' WHEN 'fiscal' THEN 'income_fiscal' WHEN 'fiscal_city' THEN 'income_fiscal' WHEN 'fiscal_district' THEN 'income_fiscal' WHEN 'fiscal_subsidy' THEN 'income_fiscal' WHEN 'employer' THEN 'income_employer' WHEN 'collective_city' THEN 'income_collective' WHEN 'collective_town' THEN 'income_collective' WHEN 'donation' THEN 'income_donation' WHEN 'interest' THEN 'income_interest' ELSE e.account END, e.source, coalesce(e.region, ''), e.amount,
               coalesce(e.memo, ''), now()
        FROM ((
        SELECT 'reserve:' || v.year, make_date(v.year, 12, 31), 'reserve_drawn', 'reserve', '', -v.amount,
               '提取市级财政调剂金 ' || v.year
        FROM settlement_reserveallocation v WHERE v.amount <> 0 AND v.id IN (SELECT id FROM new_rows))) AS e(ref, booked_on, account, source, region, amount, memo)
        ON CONFLICT (reference) DO NOTHING;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS ledger_follows_reserveallocation_insert ON settlement_reserveallocation;
CREATE TRIGGER ledger_follows_reserveallocation_insert AFTER INSERT ON settlement_reserveallocation REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_follows_reserveallocation_insert();
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
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_follows_statement_insert();"""

BACKWARD = r"""DROP TRIGGER IF EXISTS ledger_follows_assessmentfee_insert ON assessment_assessmentfee;
DROP FUNCTION IF EXISTS ledger_follows_assessmentfee_insert();
DROP TRIGGER IF EXISTS ledger_follows_contributiontransaction_insert ON enrollment_contributiontransaction;
DROP FUNCTION IF EXISTS ledger_follows_contributiontransaction_insert();
DROP TRIGGER IF EXISTS ledger_follows_fundincome_insert ON enrollment_fundincome;
DROP FUNCTION IF EXISTS ledger_follows_fundincome_insert();
DROP TRIGGER IF EXISTS ledger_follows_depositrelease_insert ON settlement_depositrelease;
DROP FUNCTION IF EXISTS ledger_follows_depositrelease_insert();
DROP TRIGGER IF EXISTS ledger_follows_handlingfee_insert ON settlement_handlingfee;
DROP FUNCTION IF EXISTS ledger_follows_handlingfee_insert();
DROP TRIGGER IF EXISTS ledger_follows_payment_update ON settlement_payment;
DROP FUNCTION IF EXISTS ledger_follows_payment_update();
DROP TRIGGER IF EXISTS ledger_follows_payout_insert ON settlement_payout;
DROP FUNCTION IF EXISTS ledger_follows_payout_insert();
DROP TRIGGER IF EXISTS ledger_follows_reserveallocation_insert ON settlement_reserveallocation;
DROP FUNCTION IF EXISTS ledger_follows_reserveallocation_insert();
DROP TRIGGER IF EXISTS ledger_follows_settlementrun_update ON settlement_settlementrun;
DROP FUNCTION IF EXISTS ledger_follows_settlementrun_update();
DROP TRIGGER IF EXISTS ledger_follows_statement_insert ON settlement_statement;
DROP FUNCTION IF EXISTS ledger_follows_statement_insert();"""


class Migration(migrations.Migration):
    dependencies = [("settlement", "0021_merge_20261204_0123")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
