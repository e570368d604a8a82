"""Per-row lookups in two statement-level checks that grew with their tables (docs/benchmarks.md, scaling): the
checks standing in for foreign keys onto settlement lines and record audits (ltci.core.partitions.
reference_check_function) and the ledger posting of contribution transactions (settlement.services.fund
SOURCES["contribution"]), frozen here as generated."""

from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION refcheck_settlement_settlementline_adjusts_id_fn() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n WHERE n.adjusts_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM settlement_settlementline t WHERE t.id = n.adjusts_id OFFSET 0)) THEN
        RAISE EXCEPTION '% on table % violates the reference adjusts_id to settlement_settlementline', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION refcheck_settlement_appeal_line_id_fn() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n WHERE n.line_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM settlement_settlementline t WHERE t.id = n.line_id OFFSET 0)) THEN
        RAISE EXCEPTION '% on table % violates the reference line_id to settlement_settlementline', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION refcheck_settlement_correction_line_id_fn() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n WHERE n.line_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM settlement_settlementline t WHERE t.id = n.line_id OFFSET 0)) THEN
        RAISE EXCEPTION '% on table % violates the reference line_id to settlement_settlementline', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION refcheck_settlement_appeal_audit_id_fn() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n WHERE n.audit_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM settlement_recordaudit t WHERE t.id = n.audit_id OFFSET 0)) THEN
        RAISE EXCEPTION '% on table % violates the reference audit_id to settlement_recordaudit', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION ledger_follows_contributiontransaction_insert() RETURNS trigger AS $$
BEGIN
INSERT INTO settlement_ledgerentry (reference, booked_on, account, source, region_code, amount, memo,
                                            created_at)
        SELECT e.ref, e.booked_on, CASE e.account WHEN 'pooled_fund' THEN 'income_pooled_fund' WHEN 'fiscal' THEN 'income_fiscal' WHEN 'fiscal_city' THEN 'income_fiscal' WHEN 'fiscal_district' THEN 'income_fiscal' WHEN 'fiscal_subsidy' THEN 'income_fiscal' WHEN 'employer' THEN 'income_employer' WHEN 'collective_city' THEN 'income_collective' WHEN 'collective_town' THEN 'income_collective' WHEN 'donation' THEN 'income_donation' WHEN 'interest' THEN 'income_interest' ELSE e.account END, e.source, coalesce(e.region, ''), e.amount,
               coalesce(e.memo, ''), now()
        FROM ((
        SELECT 'contribution_tx:' || t.id, t.occurred_on, 'income_individual', 'contribution', c.region_code,
               t.amount, t.kind || ' ' || c.year
        FROM enrollment_contributiontransaction t
        CROSS JOIN LATERAL (SELECT c.region_code, c.year FROM enrollment_contribution c
                            WHERE c.id = t.contribution_id OFFSET 0) c
        WHERE t.kind <> 'fiscal_subsidy' AND t.id = ANY (ARRAY(SELECT id FROM new_rows)))) AS e(ref, booked_on, account, source, region, amount, memo)
        ON CONFLICT (reference) DO NOTHING;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("settlement", "0024_service_records_partitioned_by_month"),
        ("enrollment", "0019_reference_check_per_row"),
    ]

    # backward: the functions before gave the same answers, by reading more rows
    operations = [migrations.RunSQL(FUNCTIONS, migrations.RunSQL.noop)]
