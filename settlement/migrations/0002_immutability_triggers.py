"""Database-level immutability (SPEC 7.2, 7.3): the ledger is append-only; results of approved or paid
runs cannot be changed or deleted; an approved run can only move on to paid."""
from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION settlement_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'settlement_ledgerentry is append-only: % refused (post a correcting entry instead)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON settlement_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION settlement_ledger_append_only();

CREATE OR REPLACE FUNCTION settlement_result_immutable() RETURNS trigger AS $$
DECLARE run_state text;
BEGIN
    SELECT state INTO run_state FROM settlement_settlementrun WHERE id = OLD.run_id;
    IF run_state IN ('approved', 'paid') THEN
        RAISE EXCEPTION '% of % refused: settlement run % is %; corrections are adjustment lines in a later month',
            TG_OP, TG_TABLE_NAME, OLD.run_id, run_state USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER line_immutable BEFORE UPDATE OR DELETE ON settlement_settlementline
    FOR EACH ROW EXECUTE FUNCTION settlement_result_immutable();
CREATE TRIGGER audit_immutable BEFORE UPDATE OR DELETE ON settlement_recordaudit
    FOR EACH ROW EXECUTE FUNCTION settlement_result_immutable();
CREATE TRIGGER statement_immutable BEFORE UPDATE OR DELETE ON settlement_statement
    FOR EACH ROW EXECUTE FUNCTION settlement_result_immutable();
CREATE TRIGGER payout_immutable BEFORE UPDATE OR DELETE ON settlement_payout
    FOR EACH ROW EXECUTE FUNCTION settlement_result_immutable();

CREATE OR REPLACE FUNCTION settlement_run_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.state IN ('approved', 'paid') THEN
            RAISE EXCEPTION 'settlement run % is %: it cannot be deleted', OLD.id, OLD.state
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.state IN ('approved', 'paid') AND (
        NEW.month <> OLD.month OR NEW.version <> OLD.version
        OR NEW.fund_total <> OLD.fund_total OR NEW.line_count <> OLD.line_count
        OR (OLD.state = 'approved' AND NEW.state NOT IN ('approved', 'paid'))
        OR (OLD.state = 'paid' AND NEW.state <> 'paid')) THEN
        RAISE EXCEPTION 'settlement run % is %: only the move to paid is allowed', OLD.id, OLD.state
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER run_guard BEFORE UPDATE OR DELETE ON settlement_settlementrun
    FOR EACH ROW EXECUTE FUNCTION settlement_run_guard();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS run_guard ON settlement_settlementrun;
DROP TRIGGER IF EXISTS payout_immutable ON settlement_payout;
DROP TRIGGER IF EXISTS statement_immutable ON settlement_statement;
DROP TRIGGER IF EXISTS audit_immutable ON settlement_recordaudit;
DROP TRIGGER IF EXISTS line_immutable ON settlement_settlementline;
DROP TRIGGER IF EXISTS ledger_append_only ON settlement_ledgerentry;
DROP FUNCTION IF EXISTS settlement_run_guard();
DROP FUNCTION IF EXISTS settlement_result_immutable();
DROP FUNCTION IF EXISTS settlement_ledger_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("settlement", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
