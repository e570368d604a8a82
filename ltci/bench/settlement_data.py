# ruff: noqa: S608 - the SQL is built from constants of this module, no input
"""The settlement benchmark's month (issue 20): June 2024 of an office running the Xuzhou pack with the Nantong
pack's home-care forms entered beside it, loaded by set-based SQL (generate_series), so that 1.5M records load
in minutes.

Persons ``g`` are typed by ``t = g % 100``:

- t 0-69: residential, severe (grade 4), one life-care bed-day a day at institution ``1 + g % 300`` (elderly
  care), charges 50-64 yuan around the 60 yuan standard (OVER_PRICE); g % 50 = 0 is in hospital June 10-12
  (HOSPITAL); g % 20 = 0 is a medical-aid person (ratio +5 points). Each of t 1-9 carries one more reason:
  t 1 dies on June 20 (NOT_COVERED: the death day and after), t 2 has not paid 2024 (ARREARS), t 3 paid 2024
  late on March 15 (WAITING until September 15), t 4 is assessed mild (NO_CONCLUSION), t 5 also bills bed-days
  at the neighbouring institution on days 1-3 (DOUBLE_CARE: its own institution billed them) and 25-30
  (NO_DECISION: not the decision's institution, nothing else paid), t 6 has no benefit decision (NO_DECISION),
  t 7 lies on a bed whose registration ended in May (BED), t 8 has day 15 twice (DUPLICATE), t 9 has day 5
  excluded by staff with one of the five EXCLUDED_* codes (by g / 100 % 5), t 10 has work-injury care
  benefits June 20-22 (EXCLUDED_OTHER_FUND by eligibility condition 5);
- t 98-99: residential, moderate (grade 2, 45 yuan);
- t 70-79: Xuzhou home visits (limit 900 a month, fund 100%) at institution ``301 + g / 2 % 40``: a visit of one
  hour at 09:00 every third day, 60-140 yuan each (OVER_LIMIT above 900); g % 1000 = 70's caregiver is not
  employed by the institution and g % 1000 = 171's visits use g - 1's caregiver at 09:30 (CAREGIVER);
- t 80-84: Xuzhou family care (home_family): the allowance (20 yuan a day, 80% when the carer is untrained: odd
  g) and two visits of 200 yuan (limit 300: OVER_LIMIT);
- t 85-87: Xuzhou remote cash allowance (30 yuan a day), no records;
- t 88-94: Nantong home package (limit 1100, 5 yuan co-payment, 4 visits a week) at institution
  ``341 + g / 100 % 20``:
  a visit every weekday, 60-90 yuan (the fifth of a week and the excess over the limit: OVER_LIMIT), with the
  combined daily allowance (15 yuan) and, for t 88, a device bought on June 15 (3,000 or 9,000 yuan against the
  8,000 yuan yearly limit, fund 80%); institution 341's agreement covers devices only (FORM_NOT_AGREED);
- t 95-97: Nantong daily allowance, t 95 with a 2,000 yuan device on June 20 (combined with the allowance).

Every person is covered since 2020 and paid 2023 and 2024 on time (but t 2, t 3).
"""

MONTH_SQL_DATE = "2024-06-01"
INSTITUTIONS = 300  # residential (elderly care); 40 Xuzhou home-care and 20 Nantong institutions follow
HOME, NANTONG = INSTITUTIONS, INSTITUTIONS + 40
ALL_INSTITUTIONS = INSTITUTIONS + 60
RECORDS_PER_PERSON = 24  # about: 72% x 30 bed-days, 10% x 10 visits, 7% x 21 package visits...

T = "(g %% 100)"
RESIDENTIAL = f"({T} < 70 OR {T} >= 98)"
FORM = f"""CASE WHEN {RESIDENTIAL} THEN 'residential' WHEN {T} < 80 THEN 'home_visits'
               WHEN {T} < 85 THEN 'home_family' WHEN {T} < 88 THEN 'remote_cash'
               WHEN {T} < 95 THEN 'home_package_copay' ELSE 'daily_allowance' END"""
INSTITUTION = f"""CASE WHEN {RESIDENTIAL} THEN 1 + g %% {INSTITUTIONS}
                      WHEN {T} < 85 THEN {HOME + 1} + (g / 2) %% 40
                      WHEN {T} BETWEEN 88 AND 94 THEN {NANTONG + 1} + (g / 100) %% 20 END"""
VISITING = f"{T} BETWEEN 70 AND 84 OR {T} BETWEEN 88 AND 94"  # persons with a caregiver of their own

RECORD_COLUMNS = """(institution_id, person_id, kind, service_date, component, charged_amount,
        caregiver_national_id, started_at, ended_at, items, origin, source_key, client_key, confirmed,
        excluded_code, excluded_note, held_reason, hold_decision, received_at)"""

LOAD_SQL = [
    f"""INSERT INTO institutions_institution (id, code, name, type, region_code, credit_code, address, contact_name,
        contact_phone, bank_name, bank_account, status, created_at)
       SELECT g, 'BJ' || lpad(g::text, 4, '0'), '机构' || g, 'elderly_care', '320302', '', '', '', '', '', '',
              'active', now() FROM generate_series(1, {ALL_INSTITUTIONS}) g""",
    f"""INSERT INTO institutions_agreement (institution_id, valid_from, valid_to, care_forms, insurance_expires_on,
        state, created_at)
       SELECT g, '2023-01-01', '2026-12-31',
              CASE WHEN g <= {HOME} THEN '{{residential}}' WHEN g <= {NANTONG} THEN '{{home_visits,home_family}}'
                   WHEN g = {NANTONG + 1} THEN '{{device}}' ELSE '{{home_package_copay,device}}' END::varchar[],
              '2026-12-31', 'active', now()
       FROM generate_series(1, {ALL_INSTITUTIONS}) g""",
    f"""INSERT INTO enrollment_person (id, national_id, name, birth_date, sex, insurance_type, region_code,
        categories, has_personal_account, village_code, died_on, created_at, updated_at)
       SELECT g, '1' || lpad(g::text, 17, '0'), 'P' || g, '1940-01-01', 'M', 'employee', '320302',
              CASE WHEN g %% 20 = 0 THEN '{{medical_aid}}'::varchar[] ELSE '{{}}'::varchar[] END, true, '',
              CASE WHEN {T} = 1 THEN '2024-06-20'::date END, now(), now()
       FROM generate_series(1, %(persons)s) g""",
    """INSERT INTO enrollment_coverageperiod (person_id, insurance_type, start, start_reason, end_reason)
       SELECT g, 'employee', '2020-01-01', 'enrolled', '' FROM generate_series(1, %(persons)s) g""",
    f"""INSERT INTO enrollment_contribution (person_id, year, insurance_type, region_code, total_amount,
        individual_amount, pooled_fund_amount, fiscal_amount, employer_amount, subsidised, subsidy_category,
        individual_paid, status, due_by, fully_paid_on, created_at)
       SELECT g, y, 'employee', '320302', 70, 20, 30, 20, 0, false, '',
              CASE WHEN y = 2024 AND {T} = 2 THEN 0 ELSE 20 END,
              CASE WHEN y = 2024 AND {T} = 2 THEN 'due' ELSE 'paid' END, make_date(y, 1, 31),
              CASE WHEN y = 2024 AND {T} = 2 THEN NULL WHEN y = 2024 AND {T} = 3 THEN '2024-03-15'::date
                   ELSE make_date(y, 1, 10) END, now()
       FROM generate_series(1, %(persons)s) g, generate_series(2023, 2024) y""",
    f"""INSERT INTO assessment_conclusion (person_id, grade, concluded_on, valid_until, state, scale_version,
        imported, created_at)
       SELECT g, CASE WHEN {T} = 4 THEN 1 WHEN {T} >= 98 THEN 2 ELSE 4 END, '2024-01-01', '2025-12-31', 'final',
              'nhsa-2021', true, now()
       FROM generate_series(1, %(persons)s) g""",
    f"""INSERT INTO institutions_bed (id, institution_id, label, registered_from, registered_to)
       SELECT g, 1 + g %% {INSTITUTIONS}, 'B' || g, '2023-01-01', CASE WHEN {T} = 7 THEN '2024-05-31'::date END
       FROM generate_series(1, %(persons)s) g WHERE {RESIDENTIAL}""",
    f"""INSERT INTO benefits_benefitdecision (person_id, benefit_class, care_form, institution_id, carer_trained,
        starts_on, end_reason, imported, note, created_at)
       SELECT g, CASE WHEN {T} >= 98 THEN 'moderate' ELSE 'severe' END, {FORM}, {INSTITUTION},
              CASE WHEN {T} BETWEEN 80 AND 84 THEN g %% 2 = 0 END, '2024-01-01', '', true, '', now()
       FROM generate_series(1, %(persons)s) g WHERE {T} <> 6""",
    f"""INSERT INTO benefits_admission (person_id, institution_id, bed_id, admitted_on)
       SELECT g, 1 + g %% {INSTITUTIONS}, g, '2024-01-01' FROM generate_series(1, %(persons)s) g
       WHERE {RESIDENTIAL}""",
    """INSERT INTO benefits_hospitalstay (person_id, admitted_on, discharged_on, hospital)
       SELECT g, '2024-06-10', '2024-06-13', 'H' FROM generate_series(1, %(persons)s) g WHERE g %% 50 = 0""",
    f"""INSERT INTO benefits_otherfundbenefit (person_id, fund, starts_on, ends_on, reference)
       SELECT g, 'work_injury', '2024-06-20', '2024-06-22', '' FROM generate_series(1, %(persons)s) g WHERE {T} = 10""",
    f"""INSERT INTO institutions_caregiver (id, national_id, name, qualification, phone)
       SELECT g, 'C' || lpad(g::text, 17, '0'), 'C' || g, '', '' FROM generate_series(1, %(persons)s) g
       WHERE {VISITING}""",
    f"""INSERT INTO institutions_employment (caregiver_id, institution_id, employed_from)
       SELECT g, {INSTITUTION}, '2023-01-01' FROM generate_series(1, %(persons)s) g
       WHERE ({VISITING}) AND g %% 1000 <> 70""",
    # bed-days: every day at the decision's institution (t 5: days 1-24 there, 1-3 and 25-30 next door)
    f"""INSERT INTO settlement_servicerecord {RECORD_COLUMNS}
       SELECT CASE WHEN n > 30 THEN 1 + (g + 1) %% {INSTITUTIONS} ELSE 1 + g %% {INSTITUTIONS} END, g, 'bed_day',
              d, 'life', 50 + (g + extract(day FROM d)::int) %% 15, '', NULL, NULL, '{{}}', 'file',
              'bench:' || g || ':' || n, '', true,
              CASE WHEN {T} = 9 AND n = 5 THEN (ARRAY['EXCLUDED_OTHER_FUND', 'EXCLUDED_THIRD_PARTY',
                   'EXCLUDED_PUBLIC_HEALTH', 'EXCLUDED_ABROAD', 'EXCLUDED_LAW'])[1 + g / 100 %% 5] ELSE '' END,
              '', '', '', now()
       FROM generate_series(1, %(persons)s) g,
            LATERAL (SELECT n, '2024-06-01'::date + (CASE WHEN n > 30 THEN n - 30 ELSE n END - 1) AS d
                     FROM generate_series(1, CASE WHEN g %% 100 = 5 THEN 60 ELSE 30 END) n) s
       WHERE {RESIDENTIAL} AND (n <= 30 AND NOT ({T} = 5 AND n > 24)
                                 OR {T} = 5 AND n - 30 IN (1, 2, 3, 25, 26, 27, 28, 29, 30))""",
    # t 8: day 15 submitted twice
    f"""INSERT INTO settlement_servicerecord {RECORD_COLUMNS}
       SELECT 1 + g %% {INSTITUTIONS}, g, 'bed_day', '2024-06-15', 'life', 60, '', NULL, NULL, '{{}}', 'file',
              'bench:' || g || ':dup', '', true, '', '', '', '', now()
       FROM generate_series(1, %(persons)s) g WHERE {T} = 8""",
    # visits: Xuzhou home visits every third day at 09:00 (g % 1000 = 171: g - 1's caregiver at 09:30), family
    # care on days 10 and 20 at 14:00, Nantong package visits every weekday at 10:00; one hour each
    f"""INSERT INTO settlement_servicerecord {RECORD_COLUMNS}
       SELECT {INSTITUTION}, g, 'home_visit', d, '', charge,
              'C' || lpad((CASE WHEN g %% 1000 = 171 THEN g - 1 ELSE g END)::text, 17, '0'), start,
              start + interval '1 hour', '{{}}', 'file', 'bench:' || g || ':v' || d, '', true, '', '', '', '', now()
       FROM (SELECT g, d::date AS d,
                    CASE WHEN {T} < 80 THEN 60 + g %% 5 * 20 WHEN {T} < 85 THEN 200 ELSE 60 + g %% 4 * 10 END
                        AS charge,
                    (d + CASE WHEN {T} < 80 AND g %% 1000 = 171 THEN interval '9 hours 30 minutes'
                              WHEN {T} < 80 THEN interval '9 hours' WHEN {T} < 85 THEN interval '14 hours'
                              ELSE interval '10 hours' END) AT TIME ZONE 'Asia/Shanghai' AS start
             FROM generate_series(1, %(persons)s) g,
                  generate_series('2024-06-01'::timestamp, '2024-06-30', '1 day') d
             WHERE {T} BETWEEN 70 AND 79 AND extract(day FROM d)::int %% 3 = 0
                OR {T} BETWEEN 80 AND 84 AND extract(day FROM d)::int IN (10, 20)
                OR {T} BETWEEN 88 AND 94 AND extract(isodow FROM d) <= 5) v""",
    # devices: t 88 on June 15 at the package institution, t 95 on June 20 at a Nantong institution
    f"""INSERT INTO settlement_servicerecord {RECORD_COLUMNS}
       SELECT {NANTONG + 1} + (g / 100) %% 20, g, 'device', CASE WHEN {T} = 88 THEN '2024-06-15'::date ELSE '2024-06-20' END,
              '', CASE WHEN {T} = 95 THEN 2000 WHEN g %% 200 < 100 THEN 3000 ELSE 9000 END, '', NULL, NULL, '{{}}',
              'file', 'bench:' || g || ':device', '', true, '', '', '', '', now()
       FROM generate_series(1, %(persons)s) g WHERE {T} IN (88, 95)""",
]


def load(cursor, persons: int) -> None:
    """The month's data for ``persons`` persons (institutions, persons, facts, records)."""
    for sql in LOAD_SQL:
        cursor.execute(sql, {"persons": persons})
    for table, value in (
        ("institutions_institution", ALL_INSTITUTIONS),
        ("enrollment_person", persons),
        ("institutions_bed", persons),
        ("institutions_caregiver", persons),
    ):
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [value])  # noqa: S608
    cursor.execute("ANALYZE")


def add_nantong_forms() -> None:
    """The Nantong pack's home-care standards (the package, devices, the daily allowance and their combined
    forms) entered in the active Xuzhou scheme: one office, one scheme, both packs' forms in one month
    (docs/decisions.md). Only records of a kind and key the scheme does not have are added."""
    from ltci.core.models import PolicyRecord
    from ltci.core.policy import active_scheme
    from ltci.core.policy_files import parse_pack, read_pack

    scheme = active_scheme()
    have = set(PolicyRecord.objects.filter(scheme=scheme).values_list("kind", "key"))
    _head, records = parse_pack(read_pack("nantong"), "nantong.yaml")
    for r in records:
        if r.kind in ("payment_standard", "combined_forms") and (r.kind, r.key) not in have:
            r.record(scheme).save()
