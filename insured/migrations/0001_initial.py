"""The page versions and the triggers that bump them (see insured/models.py).

Statement-level triggers with transition tables: a bulk write (a settlement run's 50,000 lines, a yearly
run, an import) bumps each person once per statement, in person order (no deadlock between two writers).
The table names and the person of a row are written out here (a migration is frozen history); the test
tests/insured/test_freshness.py reads the tables the page really reads and fails on one without a trigger.
"""

from django.db import migrations, models

# table -> (version kind, SQL expression of the row ``r`` naming the person or account it belongs to)
ROW_TABLES = {
    "enrollment_person": ("person", "r.id"),
    "enrollment_coverageperiod": ("person", "r.person_id"),
    "enrollment_contribution": ("person", "r.person_id"),
    "assessment_application": ("person", "r.person_id"),
    "assessment_conclusion": ("person", "r.person_id"),
    "assessment_expiryreminder": (
        "person",
        "(SELECT c.person_id FROM assessment_conclusion c WHERE c.id = r.conclusion_id)",
    ),
    "benefits_benefitdecision": ("person", "r.person_id"),
    "benefits_hospitalstay": ("person", "r.person_id"),
    "settlement_settlementline": ("person", "r.person_id"),
    "benefits_insuredaccount": ("account", "r.id"),
    "benefits_agentlink": ("account", "r.account_id"),
}
# The accounts that show a person (own account, agents' links): their switcher shows the person's name.
PERSON_ACCOUNTS = (
    "SELECT a.id FROM benefits_insuredaccount a WHERE a.person_id = r.id "
    "UNION SELECT l.account_id FROM benefits_agentlink l WHERE l.principal_id = r.id"
)
# Rows every page depends on: any change bumps the shared version.
SHARED_TABLES = [
    "core_policyscheme",
    "core_policyrecord",
    "settlement_settlementrun",
    "institutions_institution",
]

# Versions come from one sequence: never reused, even if a version row were deleted or a table truncated.
# It starts at a random value, so a database created again under the same name (tests, a new install)
# never meets pages cached for the old one (a restored backup: see docs/operations.md, flush the cache).
FUNCTIONS = r"""
CREATE SEQUENCE IF NOT EXISTS insured_version_seq;
SELECT setval('insured_version_seq', 1 + floor(random() * 1e15)::bigint);

CREATE OR REPLACE FUNCTION insured_rows(op text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
    SELECT CASE op WHEN 'INSERT' THEN 'SELECT * FROM new_rows'
                   WHEN 'DELETE' THEN 'SELECT * FROM old_rows'
                   ELSE 'SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows' END
$f$;

CREATE OR REPLACE FUNCTION insured_bump_shared() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
    INSERT INTO insured_sharedversion AS v (name, version) VALUES ('shared', nextval('insured_version_seq'))
    ON CONFLICT (name) DO UPDATE SET version = excluded.version;
    RETURN NULL;
END $f$;

-- TG_ARGV[0]: 'person' or 'account'; TG_ARGV[1]: the id it belongs to, as an expression of the row r.
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

-- A person's name is shown in the switcher of every account that may view the person.
CREATE OR REPLACE FUNCTION insured_bump_person_accounts() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE format(
        'INSERT INTO insured_accountversion AS v (account_id, version) '
        'SELECT k, nextval(''insured_version_seq'') FROM (SELECT DISTINCT s.k FROM (SELECT r.id FROM (%s) r) r, '
        'LATERAL (%s) s(k)) s ORDER BY k ON CONFLICT (account_id) DO UPDATE SET version = excluded.version',
        insured_rows(TG_OP), '__PERSON_ACCOUNTS__');
    RETURN NULL;
END $f$;

-- The first contribution year of the system decides waiting periods (enrollment.selectors): a change that
-- may move it bumps the shared version.
CREATE OR REPLACE FUNCTION insured_bump_first_year() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
    moved boolean;
BEGIN
    EXECUTE format(
        'SELECT EXISTS (SELECT 1 FROM (%s) r WHERE r.year <= '
        'coalesce((SELECT min(year) FROM enrollment_contribution), r.year))',
        insured_rows(TG_OP)) INTO moved;
    IF moved THEN
        INSERT INTO insured_sharedversion AS v (name, version) VALUES ('shared', nextval('insured_version_seq'))
        ON CONFLICT (name) DO UPDATE SET version = excluded.version;
    END IF;
    RETURN NULL;
END $f$;
""".replace("__PERSON_ACCOUNTS__", PERSON_ACCOUNTS.replace("'", "''"))


def _row_triggers(table: str, function: str, args: str = "") -> list[str]:
    name = f"insured_{function.removeprefix('insured_')}"
    return [
        f"CREATE TRIGGER {name}_ins AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}({args})",
        f"CREATE TRIGGER {name}_upd AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows "
        f"NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}({args})",
        f"CREATE TRIGGER {name}_del AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}({args})",
    ]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _triggers() -> list[str]:
    statements = []
    for table, (kind, expr) in ROW_TABLES.items():
        statements += _row_triggers(table, "insured_bump_rows", f"{_quote(kind)}, {_quote(expr)}")
        # TRUNCATE has no rows to name: every page is stale.
        statements.append(
            f"CREATE TRIGGER insured_bump_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION insured_bump_shared()"
        )
    statements += _row_triggers("enrollment_person", "insured_bump_person_accounts")
    statements += _row_triggers("enrollment_contribution", "insured_bump_first_year")
    for table in SHARED_TABLES:
        statements.append(
            f"CREATE TRIGGER insured_bump_shared AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION insured_bump_shared()"
        )
    return statements


def _drop() -> list[str]:
    tables = [*ROW_TABLES, *SHARED_TABLES]
    names = [
        f"{base}_{suffix}"
        for base in ("insured_bump_rows", "insured_bump_person_accounts", "insured_bump_first_year")
        for suffix in ("ins", "upd", "del")
    ] + ["insured_bump_truncate", "insured_bump_shared"]
    drops = [f"DROP TRIGGER IF EXISTS {name} ON {table}" for table in tables for name in names]
    return drops + [
        "DROP FUNCTION IF EXISTS insured_bump_rows(), insured_bump_shared(), insured_bump_person_accounts(), "
        "insured_bump_first_year(), insured_rows(text)",
        "DROP SEQUENCE IF EXISTS insured_version_seq",
    ]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("enrollment", "0010_collective_subsidy"),
        ("assessment", "0005_stored_uploads_random_names"),
        ("benefits", "0008_other_fund_permissions"),
        ("settlement", "0016_run_one_final_version_per_month"),
        ("institutions", "0005_evidence_unguessable_path"),
        ("core", "0004_policy_record_default_mark"),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonVersion",
            fields=[
                ("person_id", models.BigIntegerField(primary_key=True, serialize=False, verbose_name="参保人")),
                ("version", models.BigIntegerField(default=0, verbose_name="版本")),
            ],
            options={"verbose_name": "参保人页面版本", "verbose_name_plural": "参保人页面版本"},
        ),
        migrations.CreateModel(
            name="AccountVersion",
            fields=[
                ("account_id", models.BigIntegerField(primary_key=True, serialize=False, verbose_name="账户")),
                ("version", models.BigIntegerField(default=0, verbose_name="版本")),
            ],
            options={"verbose_name": "账户页面版本", "verbose_name_plural": "账户页面版本"},
        ),
        migrations.CreateModel(
            name="SharedVersion",
            fields=[
                (
                    "name",
                    models.CharField(max_length=20, primary_key=True, serialize=False, verbose_name="名称"),
                ),
                ("version", models.BigIntegerField(default=0, verbose_name="版本")),
            ],
            options={"verbose_name": "公共页面版本", "verbose_name_plural": "公共页面版本"},
        ),
        migrations.RunSQL(
            [FUNCTIONS, *_triggers(), "INSERT INTO insured_sharedversion VALUES ('shared', nextval('insured_version_seq'))"],
            [*_drop(), "DELETE FROM insured_sharedversion"],
        ),
    ]
