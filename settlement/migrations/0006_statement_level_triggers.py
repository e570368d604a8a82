"""Immutability checks once per statement (transition tables) instead of once per row: replacing a draft
run deletes up to millions of record audits, which row triggers would check one by one."""
from django.db import migrations

TABLES = ["settlement_settlementline", "settlement_recordaudit", "settlement_statement", "settlement_payout"]
SHORT = {"settlement_settlementline": "line", "settlement_recordaudit": "audit", "settlement_statement": "statement",
         "settlement_payout": "payout"}

FUNCTION = r"""
CREATE OR REPLACE FUNCTION settlement_results_immutable() RETURNS trigger AS $$
DECLARE bad record;
BEGIN
    SELECT r.id, r.state INTO bad FROM settlement_settlementrun r
    WHERE r.id IN (SELECT DISTINCT run_id FROM old_rows) AND r.state IN ('approved', 'paid') LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '% of % refused: settlement run % is %; corrections are adjustment lines in a later month',
            TG_OP, TG_TABLE_NAME, bad.id, bad.state USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
"""


def forward_sql():
    parts = [FUNCTION]
    for table in TABLES:
        name = SHORT[table]
        parts.append(f"DROP TRIGGER IF EXISTS {name}_immutable ON {table};")
        for op in ("UPDATE", "DELETE"):
            parts.append(f"CREATE TRIGGER {name}_immutable_{op.lower()} AFTER {op} ON {table} "
                         f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
                         f"EXECUTE FUNCTION settlement_results_immutable();")
    return "\n".join(parts)


def backward_sql():
    parts = []
    for table in TABLES:
        name = SHORT[table]
        for op in ("update", "delete"):
            parts.append(f"DROP TRIGGER IF EXISTS {name}_immutable_{op} ON {table};")
        parts.append(f"CREATE TRIGGER {name}_immutable BEFORE UPDATE OR DELETE ON {table} "
                     f"FOR EACH ROW EXECUTE FUNCTION settlement_result_immutable();")
    parts.append("DROP FUNCTION IF EXISTS settlement_results_immutable();")
    return "\n".join(parts)


class Migration(migrations.Migration):
    dependencies = [("settlement", "0005_role_permissions")]
    operations = [migrations.RunSQL(forward_sql(), backward_sql())]
