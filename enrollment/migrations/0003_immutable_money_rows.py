"""Transactions and fund income are append-only: UPDATE and DELETE raise (SPEC 3.3, 7.3)."""
from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION enrollment_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % is not allowed (book a correcting entry instead)',
        TG_TABLE_NAME, TG_OP USING ERRCODE = 'raise_exception';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER contributiontransaction_immutable BEFORE UPDATE OR DELETE ON enrollment_contributiontransaction
    FOR EACH ROW EXECUTE FUNCTION enrollment_refuse_change();
CREATE TRIGGER fundincome_immutable BEFORE UPDATE OR DELETE ON enrollment_fundincome
    FOR EACH ROW EXECUTE FUNCTION enrollment_refuse_change();
"""
REVERSE = """
DROP TRIGGER IF EXISTS contributiontransaction_immutable ON enrollment_contributiontransaction;
DROP TRIGGER IF EXISTS fundincome_immutable ON enrollment_fundincome;
"""


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0002_beat_schedule")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
