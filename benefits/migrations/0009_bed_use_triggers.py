"""Admissions keep institutions' bed uses (issue 15): institutions counts the residents on its registered beds
from its own table `institutions_beduse`, which these triggers keep equal to the admissions with a bed.

Benefits sits above institutions, so benefits may know institutions' table; institutions never reads
benefits. Row-level triggers after INSERT, UPDATE and DELETE of `benefits_admission` (any writer: services,
admin, raw SQL, imports), and a backfill of the admissions already recorded.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION benefits_admission_bed_use() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM institutions_beduse WHERE source_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.bed_id IS NOT NULL THEN
        INSERT INTO institutions_beduse (source_id, bed_id, person_id, start, "end")
        VALUES (NEW.id, NEW.bed_id, NEW.person_id, NEW.admitted_on, NEW.discharged_on)
        ON CONFLICT (source_id) DO UPDATE SET bed_id = EXCLUDED.bed_id, person_id = EXCLUDED.person_id,
            start = EXCLUDED.start, "end" = EXCLUDED."end";
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER benefits_admission_bed_use
    AFTER INSERT OR UPDATE OR DELETE ON benefits_admission
    FOR EACH ROW EXECUTE FUNCTION benefits_admission_bed_use();
"""

BACKFILL = """
DELETE FROM institutions_beduse;
INSERT INTO institutions_beduse (source_id, bed_id, person_id, start, "end")
    SELECT id, bed_id, person_id, admitted_on, discharged_on FROM benefits_admission WHERE bed_id IS NOT NULL;
"""

BACKWARD = """
DROP TRIGGER benefits_admission_bed_use ON benefits_admission;
DROP FUNCTION benefits_admission_bed_use();
DELETE FROM institutions_beduse;
"""


class Migration(migrations.Migration):
    dependencies = [("benefits", "0008_other_fund_permissions"), ("institutions", "0006_bed_use")]
    operations = [migrations.RunSQL(FORWARD + BACKFILL, BACKWARD)]
