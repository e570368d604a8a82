"""A statement writing the rows of many persons at once (a chunk of the yearly run or of a settlement, a large
import) bumps the shared version once instead of a version row per person (docs/decisions.md "Bulk writes
make every page stale at once"): bumping 50,000 version rows cost a chunk of the yearly run about 0.35 s, an
eighth of its time. Smaller statements bump each person or account as before (migration 0001)."""

from django.db import migrations

# More rows than this written by one statement (inserted, updated or deleted): one shared bump.
BULK_ROWS = 5000

# 0001's function (the way back) and the bulk test put before its one statement
BUMP_EACH = r"""
CREATE OR REPLACE FUNCTION insured_bump_rows() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
    target text := CASE TG_ARGV[0] WHEN 'person' THEN 'insured_personversion' ELSE 'insured_accountversion' END;
    key text := CASE TG_ARGV[0] WHEN 'person' THEN 'person_id' ELSE 'account_id' END;
BEGIN
    EXECUTE format(
        'INSERT INTO %1$I AS v (%2$I, version) '
        'SELECT k, nextval(''insured_version_seq'') FROM (SELECT DISTINCT %3$s AS k FROM (%4$s) r) s '
        'WHERE k IS NOT NULL ORDER BY k ON CONFLICT (%2$I) DO UPDATE SET version = excluded.version',
        target, key, TG_ARGV[1], insured_rows(TG_OP));
    RETURN NULL;
END $f$;
"""


BULK = f"""    bulk boolean;
BEGIN
    EXECUTE format('SELECT count(*) > {BULK_ROWS} FROM %s', CASE TG_OP WHEN 'DELETE' THEN 'old_rows' ELSE 'new_rows' END)
        INTO bulk;
    IF bulk THEN
        INSERT INTO insured_sharedversion AS v (name, version) VALUES ('shared', nextval('insured_version_seq'))
        ON CONFLICT (name) DO UPDATE SET version = excluded.version;
        RETURN NULL;
    END IF;
"""
BUMP_ROWS = BUMP_EACH.replace("BEGIN\n", BULK, 1)
assert BUMP_ROWS != BUMP_EACH


class Migration(migrations.Migration):
    dependencies = [("insured", "0002_payment_versions")]
    operations = [migrations.RunSQL(BUMP_ROWS, BUMP_EACH)]
