"""The check standing in for the foreign key of a transaction to its (partitioned) contribution looks each written
row up by its id (ltci.core.partitions.reference_check_function, frozen here): as an anti-join it hashed every
contribution in each statement, so a chunk of the yearly run grew with the table (docs/benchmarks.md)."""

from django.db import migrations

CHECKS = r"""
CREATE OR REPLACE FUNCTION refcheck_enrollment_contributiontransaction_contribution_id_fn() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n WHERE n.contribution_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM enrollment_contribution t WHERE t.id = n.contribution_id OFFSET 0)) THEN
        RAISE EXCEPTION '% on table % violates the reference contribution_id to enrollment_contribution', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0018_wage_bases_employer_payments")]

    # backward: the functions before gave the same answers, by reading more rows
    operations = [migrations.RunSQL(CHECKS, migrations.RunSQL.noop)]
