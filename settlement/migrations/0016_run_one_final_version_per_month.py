"""At most one approved or paid version of a month (security review, finding 1). A database that already
holds a month approved twice (the race this closes) stops the migration with the months named, instead
of PostgreSQL's bare duplicate-key error: which version stands is for the fund's staff to settle first."""
from django.db import migrations, models

DOUBLED = r"""
DO $$
DECLARE doubled text;
BEGIN
    SELECT string_agg(to_char(month, 'YYYY-MM') || ' (versions ' || versions || ')', ', ' ORDER BY month)
    INTO doubled
    FROM (SELECT month, string_agg(version::text, ', ' ORDER BY version) AS versions
          FROM settlement_settlementrun WHERE state IN ('approved', 'paid')
          GROUP BY month HAVING count(*) > 1) d;
    IF doubled IS NOT NULL THEN
        RAISE EXCEPTION 'settlement months with more than one approved or paid version: %; their statements and '
            'payouts are in the fund ledger twice: decide which version stands before migrating', doubled;
    END IF;
END $$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("settlement", "0015_statement_carried"),
    ]

    operations = [
        migrations.RunSQL(DOUBLED, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name="settlementrun",
            constraint=models.UniqueConstraint(condition=models.Q(("state__in", ["approved", "paid"])),
                                               fields=("month",), name="run_one_final_version_per_month"),
        ),
    ]
