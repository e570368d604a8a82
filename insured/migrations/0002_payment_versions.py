"""The person's page shows their payments and the accounts they went to (issue 19): writes to those tables
bump the person's page version, with the trigger functions of 0001 (frozen names and expressions)."""

from django.db import migrations

ROW_TABLES = {
    "settlement_payment": ("person", "r.person_id"),
    "settlement_bankaccount": ("person", "r.person_id"),
}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _forward() -> list[str]:
    statements = []
    for table, (kind, expr) in ROW_TABLES.items():
        args = f"{_quote(kind)}, {_quote(expr)}"
        statements += [
            f"CREATE TRIGGER insured_bump_rows_ins AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION insured_bump_rows({args})",
            f"CREATE TRIGGER insured_bump_rows_upd AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows "
            f"NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION insured_bump_rows({args})",
            f"CREATE TRIGGER insured_bump_rows_del AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION insured_bump_rows({args})",
            f"CREATE TRIGGER insured_bump_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION insured_bump_shared()",
        ]
    return statements


def _backward() -> list[str]:
    names = ["insured_bump_rows_ins", "insured_bump_rows_upd", "insured_bump_rows_del", "insured_bump_truncate"]
    return [f"DROP TRIGGER IF EXISTS {name} ON {table}" for table in ROW_TABLES for name in names]


class Migration(migrations.Migration):
    dependencies = [("insured", "0001_initial"), ("settlement", "0020_ledger_books_confirmed_payments")]
    operations = [migrations.RunSQL(_forward(), _backward())]
