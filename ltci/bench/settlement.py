# ruff: noqa: S608 - the SQL is built from constants of this module, no input
"""Monthly settlement of about N service records of every care form (issue 20): the real run vs plain SQL.

Data (June 2024, ``settlement_data``): the Xuzhou pack with the Nantong pack's home-care forms, ~N/24 persons:
residential bed-days (most), Xuzhou home visits, family care (allowance and visits), remote cash, the Nantong
home package with its daily allowance and devices, and persons whose data makes every SPEC 7.2 reason code
occur. The bench prints the count of each code for the run and for the baseline and reports NOT EQUAL when a
code does not occur.

The baseline is plain SQL producing the same rows the run stores (SPEC 12: "what PostgreSQL itself needs for
the same rows"), written from SPEC 5.1, 5.2 and 7.2 and the packs' figures, not from the run's code: each
person-day's eligibility, each record's first failing rule, the prices (bed-days at the standard, visits and
devices filling their limits in order, the package's weekly count and co-payment) and the allowances, as one
settlement line per (institution, person, care form) and one audit row per record, written to copies of the
two tables in schema ``baseline`` (same columns, indexes, checks and foreign keys). Lines and audits of both
must be equal, column by column. What the baseline leaves out because the month has none of it: late records,
earlier months' runs (limits already used), waiting periods of newly insured persons and their exemption,
work-injury or maternity benefits, home sickbeds, beds over capacity, agreed prices, medical bed-days, unpaid
allowance lines, community care, prevention and relief.
"""

import datetime as dt

from . import copy_foreign_keys, register, report, schemas_equal, setup_fresh_database, timer
from .settlement_data import ALL_INSTITUTIONS, RECORDS_PER_PERSON, add_nantong_forms, load

MONTH = dt.date(2024, 6, 1)
CODES = (
    "NOT_COVERED",
    "ARREARS",
    "WAITING",
    "NO_CONCLUSION",
    "NO_DECISION",
    "HOSPITAL",
    "DOUBLE_CARE",
    "FORM_NOT_AGREED",
    "BED",
    "DUPLICATE",
    "CAREGIVER",
    "OVER_LIMIT",
    "OVER_PRICE",
    "EXCLUDED_OTHER_FUND",
    "EXCLUDED_THIRD_PARTY",
    "EXCLUDED_PUBLIC_HEALTH",
    "EXCLUDED_ABROAD",
    "EXCLUDED_LAW",
)
VISIT_FORMS = "'{home_visits,home_family,home_package_copay,community,prevention}'::text[]"
ALLOWANCE_FORMS = "'{home_family,remote_cash,daily_allowance}'::text[]"
FORM_LABEL = """CASE {c} WHEN 'residential' THEN '入住协议机构' WHEN 'home_visits' THEN '居家上门服务'
    WHEN 'home_family' THEN '亲情照护+上门服务' WHEN 'remote_cash' THEN '异地居住现金补助'
    WHEN 'home_package_copay' THEN '居家服务包' WHEN 'daily_allowance' THEN '居家护理日补助'
    WHEN 'community' THEN '社区护理' WHEN 'device' THEN '辅助器具' WHEN 'prevention' THEN '失能预防' ELSE {c} END"""

BASELINE_SQL = [
    # the session settings the run uses for its few big queries (no JIT compile, sorts and hashes in memory)
    "SET jit = off",
    "SET work_mem = '256MB'",
    # the active scheme's policy in force in June 2024
    """CREATE TEMP TABLE bl_policy AS
       SELECT r.kind, r.key, r.value FROM core_policyrecord r JOIN core_policyscheme s ON s.id = r.scheme_id
       WHERE s.active AND r.valid_from <= '2024-06-30' AND (r.valid_to IS NULL OR r.valid_to >= '2024-06-01')""",
    # per decided form: the forms it is held together with
    """CREATE TEMP TABLE bl_combined AS
       SELECT key AS form, ARRAY(SELECT jsonb_array_elements_text(value->'forms')) AS also
       FROM bl_policy WHERE kind = 'combined_forms'""",
    # the persons of the month: with records, or with a decision paying an allowance
    f"""CREATE TEMP TABLE bl_persons AS
       SELECT DISTINCT person_id FROM settlement_servicerecord
       WHERE service_date BETWEEN '2024-06-01' AND '2024-06-30' AND confirmed
         AND (held_reason = '' OR hold_decision = 'confirmed')
       UNION
       SELECT d.person_id FROM benefits_benefitdecision d LEFT JOIN bl_combined c ON c.form = d.care_form
       WHERE d.starts_on <= '2024-06-30' AND (d.ends_on IS NULL OR d.ends_on >= '2024-06-01')
         AND (d.care_form = ANY({ALLOWANCE_FORMS}) OR c.also && {ALLOWANCE_FORMS})""",
    # each person-day's eligibility (SPEC 5.1 conditions 1-5, the first failing one) and decision
    """CREATE TEMP TABLE bl_days AS
       SELECT person_id, day, categories, died_on, class, form, inst, trained, code,
              CASE code WHEN 'NOT_COVERED' THEN CASE WHEN died_on < day THEN died_on || ' 死亡' ELSE '无参保期间' END
                   WHEN 'ARREARS' THEN CASE WHEN status IS NULL THEN y || ' 年度无缴费记录'
                       WHEN status = 'paid' THEN y || ' 年度缴费至 ' || fully_paid_on || ' 才缴足'
                       ELSE y || ' 年度缴费未缴足（' || CASE status WHEN 'due' THEN '应缴' WHEN 'partly_paid'
                            THEN '部分缴纳' WHEN 'arrears' THEN '欠费' ELSE status END || '）' END
                   WHEN 'WAITING' THEN '等待期至 ' || (payable - 1) || '，' || payable || ' 起可享受待遇（'
                       || fully_paid_on || ' 缴足）'
                   WHEN 'NO_CONCLUSION' THEN CASE WHEN class IS NULL THEN '无有效的失能评估结论'
                       ELSE '失能类别（' || class || '）不在保障范围' END
                   WHEN 'NO_DECISION' THEN '无有效的待遇核定'
                   WHEN 'HOSPITAL' THEN admitted_on || ' 起在' || hospital || '住院（出院：'
                       || coalesce(discharged_on::text, '未出院') || '）'
                   WHEN 'EXCLUDED_OTHER_FUND' THEN fund_from || ' 至 ' || coalesce(fund_to::text, '今') || ' 享受'
                       || CASE fund WHEN 'work_injury' THEN '工伤保险' WHEN 'maternity' THEN '生育保险' ELSE fund END
                       || '护理待遇' END AS detail
       FROM (
           SELECT p.id AS person_id, d.day, d.y, p.categories, p.died_on, k.class, dc.care_form AS form,
                  dc.institution_id AS inst, dc.carer_trained AS trained, c.status, c.fully_paid_on,
                  h.admitted_on, h.hospital, h.discharged_on, o.fund, o.starts_on AS fund_from,
                  o.ends_on AS fund_to, (c.fully_paid_on + 1 + w.months)::date AS payable,
                  CASE WHEN p.died_on < d.day OR cov.person_id IS NULL THEN 'NOT_COVERED'
                       WHEN d.day >= CASE WHEN pv.ok AND c.due_by IS NOT NULL THEN c.due_by + 1
                                          ELSE make_date(d.y, 1, 1) END
                            AND (c.status IS NULL OR c.status NOT IN ('paid', 'waived')
                                 OR c.status = 'paid' AND d.day < c.fully_paid_on) THEN 'ARREARS'
                       WHEN c.status = 'paid' AND c.fully_paid_on > c.due_by AND d.day >= c.fully_paid_on
                            AND d.day < c.fully_paid_on + 1 + w.months THEN 'WAITING'
                       WHEN k.class IS NULL OR NOT k.class = ANY(cc.classes) THEN 'NO_CONCLUSION'
                       WHEN dc.id IS NULL THEN 'NO_DECISION'
                       WHEN h.person_id IS NOT NULL THEN 'HOSPITAL'
                       WHEN o.id IS NOT NULL THEN 'EXCLUDED_OTHER_FUND' END AS code
           FROM bl_persons bp JOIN enrollment_person p ON p.id = bp.person_id
           CROSS JOIN (SELECT day::date AS day, 2024 AS y
                       FROM generate_series('2024-06-01'::date, '2024-06-30', '1 day') day) d
           CROSS JOIN (SELECT make_interval(months => (value->>'months')::int) AS months FROM bl_policy
                       WHERE kind = 'waiting_period') w
           CROSS JOIN (SELECT ARRAY(SELECT jsonb_array_elements_text(value->'classes')) AS classes FROM bl_policy
                       WHERE kind = 'covered_classes') cc
           LEFT JOIN enrollment_coverageperiod cov ON cov.person_id = p.id AND cov.start <= d.day
                AND (cov."end" IS NULL OR cov."end" >= d.day)
           LEFT JOIN enrollment_contribution c ON c.person_id = p.id AND c.year = d.y
           LEFT JOIN (SELECT person_id, year, status = 'waived' OR status = 'paid' AND fully_paid_on <= due_by AS ok
                      FROM enrollment_contribution) pv ON pv.person_id = p.id AND pv.year = d.y - 1
           -- the latest final conclusion concluded by the day governs it while it is valid
           LEFT JOIN (SELECT person_id, concluded_on, valid_until,
                             lead(concluded_on) OVER (PARTITION BY person_id ORDER BY concluded_on, id) AS next_on,
                             CASE WHEN grade >= 3 THEN 'severe' WHEN grade = 2 THEN 'moderate'
                                  WHEN grade = 1 THEN 'mild' END AS class
                      FROM assessment_conclusion WHERE state = 'final') k0 ON k0.person_id = p.id
                AND k0.concluded_on <= d.day AND (k0.next_on IS NULL OR k0.next_on > d.day)
           CROSS JOIN LATERAL (SELECT CASE WHEN k0.valid_until >= d.day THEN k0.class END AS class) k
           LEFT JOIN benefits_benefitdecision dc ON dc.person_id = p.id AND dc.starts_on <= d.day
                AND (dc.ends_on IS NULL OR dc.ends_on >= d.day)
           LEFT JOIN benefits_hospitalstay h ON h.person_id = p.id AND h.admitted_on <= d.day
                AND (h.discharged_on IS NULL OR d.day < h.discharged_on)
           LEFT JOIN benefits_otherfundbenefit o ON o.person_id = p.id AND o.starts_on <= d.day
                AND (o.ends_on IS NULL OR o.ends_on >= d.day)
       ) x""",
    "CREATE INDEX ON bl_days (person_id, day)",
    "ANALYZE bl_days",
    # each record with its facts and its first failing rule (SPEC 7.2; 'MISMATCH': not the decision's form or
    # institution, resolved to DOUBLE_CARE or NO_DECISION below)
    f"""CREATE TEMP TABLE bl_records AS
       SELECT x.*,
              CASE WHEN dup THEN 'DUPLICATE' WHEN kind = 'bed_day' AND died_on = day THEN 'NOT_COVERED'
                   WHEN e_code IN ('NOT_COVERED', 'ARREARS', 'WAITING', 'NO_CONCLUSION', 'NO_DECISION') THEN e_code
                   WHEN NOT matches THEN 'MISMATCH'
                   WHEN e_code IS NOT NULL THEN e_code
                   WHEN NOT agreed THEN 'FORM_NOT_AGREED'
                   WHEN kind = 'bed_day' AND NOT admitted THEN 'BED'
                   WHEN kind = 'bed_day' AND NOT bed_registered THEN 'BED'
                   WHEN kind = 'home_visit' AND (caregiver = '' OR NOT employed) THEN 'CAREGIVER'
                   WHEN excluded_code <> '' THEN excluded_code END AS code,
              CASE WHEN dup THEN '与先前一条记录的机构、参保人、类型、日期、服务内容和开始时间相同'
                   WHEN kind = 'bed_day' AND died_on = day THEN '死亡当日不计床日'
                   WHEN e_code IN ('NOT_COVERED', 'ARREARS', 'WAITING', 'NO_CONCLUSION', 'NO_DECISION') THEN e_detail
                   WHEN NOT matches THEN ''
                   WHEN e_code IS NOT NULL THEN e_detail
                   WHEN NOT agreed THEN '协议不包含护理形式：' || {FORM_LABEL.format(c="form")}
                   WHEN kind = 'bed_day' AND NOT admitted THEN '当日未在该机构入住（出院当日不计床日）'
                   WHEN kind = 'bed_day' AND NOT bed_registered THEN '床位未备案'
                   WHEN kind = 'home_visit' AND caregiver = '' THEN '未填写护理人员'
                   WHEN kind = 'home_visit' AND NOT employed THEN '护理人员当日未在该机构备案'
                   WHEN excluded_code <> '' THEN '经办人员认定不予支付' ELSE '' END AS detail,
              dup OR kind = 'bed_day' AND coalesce(died_on = day, false)
                  OR coalesce(e_code IN ('NOT_COVERED', 'ARREARS', 'WAITING', 'NO_CONCLUSION', 'NO_DECISION'), false)
                  OR e_code IS NOT NULL AND matches AS classless
       FROM (
           SELECT r.id, r.institution_id AS inst, r.person_id, r.kind, r.service_date AS day, r.charged_amount AS charged,
                  r.caregiver_national_id AS caregiver, r.started_at, r.excluded_code, e.code AS e_code,
                  e.detail AS e_detail, e.class, e.form AS d_form, e.inst AS d_inst, e.died_on, e.categories, f.form,
                  row_number() OVER (PARTITION BY r.institution_id, r.person_id, r.kind, r.service_date, r.component,
                                     r.started_at ORDER BY r.id) > 1 AS dup,
                  coalesce(f.form = ANY(cf.also), false)
                      OR (CASE r.kind WHEN 'bed_day' THEN e.form = 'residential' WHEN 'device' THEN e.form = 'device'
                               ELSE e.form = ANY({VISIT_FORMS}) END AND e.inst = r.institution_id) AS matches,
                  coalesce(f.form = ANY(g.care_forms) OR f.form IN ('home_visits', 'home_family')
                           AND g.care_forms::text[] && '{{home_visits,home_family}}'::text[], false) AS agreed,
                  m.person_id IS NOT NULL AS admitted,
                  coalesce(bd.registered_from <= r.service_date
                           AND (bd.registered_to IS NULL OR bd.registered_to >= r.service_date), false) AS bed_registered,
                  em.id IS NOT NULL AS employed
           FROM settlement_servicerecord r
           JOIN bl_days e ON e.person_id = r.person_id AND e.day = r.service_date
           CROSS JOIN LATERAL (SELECT CASE r.kind WHEN 'bed_day' THEN 'residential' WHEN 'device' THEN 'device' ELSE
                               CASE WHEN e.form = ANY({VISIT_FORMS}) THEN e.form ELSE 'home_visits' END END AS form) f
           LEFT JOIN bl_combined cf ON cf.form = e.form
           LEFT JOIN institutions_agreement g ON g.institution_id = r.institution_id AND g.state = 'active'
                AND g.valid_from <= r.service_date AND g.valid_to >= r.service_date
                AND (g.terminated_on IS NULL OR g.terminated_on >= r.service_date)
           LEFT JOIN benefits_admission m ON r.kind = 'bed_day' AND m.person_id = r.person_id
                AND m.institution_id = r.institution_id AND m.admitted_on <= r.service_date
                AND (m.discharged_on IS NULL OR r.service_date < m.discharged_on)
           LEFT JOIN institutions_bed bd ON bd.id = m.bed_id
           LEFT JOIN (SELECT m.id, c.national_id, m.institution_id, m.employed_from, m.employed_to
                      FROM institutions_employment m JOIN institutions_caregiver c ON c.id = m.caregiver_id) em
                ON r.kind = 'home_visit' AND em.national_id = r.caregiver_national_id
                AND em.institution_id = r.institution_id AND em.employed_from <= r.service_date
                AND (em.employed_to IS NULL OR em.employed_to >= r.service_date)
           WHERE r.service_date BETWEEN '2024-06-01' AND '2024-06-30' AND r.confirmed
             AND (r.held_reason = '' OR r.hold_decision = 'confirmed')
       ) x""",
    "ANALYZE bl_records",
    # visits starting before an earlier visit of the same caregiver ended
    """UPDATE bl_records b SET code = 'CAREGIVER', detail = '与同一护理人员先前的上门服务时间重叠', classless = false
       FROM (SELECT r.id, r.started_at,
                    max(r.ended_at) OVER (PARTITION BY r.caregiver_national_id ORDER BY r.started_at, r.id
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS busy
             FROM settlement_servicerecord r JOIN bl_records x ON x.id = r.id
             WHERE r.kind = 'home_visit' AND NOT x.dup AND r.caregiver_national_id <> '' AND r.ended_at IS NOT NULL
               AND r.started_at IS NOT NULL) o
       WHERE o.id = b.id AND o.started_at < o.busy
         AND (b.code IS NULL OR b.code = b.excluded_code AND b.excluded_code <> '')""",
    # not the decision's form or institution: DOUBLE_CARE when something else is paid that day
    f"""UPDATE bl_records b SET code = CASE WHEN b.kind <> 'device' AND (coalesce(o.paid, false)
              OR b.e_code IS NULL AND EXISTS (
                  SELECT 1 FROM unnest(ARRAY[b.d_form] || coalesce((SELECT also FROM bl_combined WHERE form = b.d_form),
                                                                   '{{}}')) f
                  WHERE f = ANY({ALLOWANCE_FORMS}) AND (b.kind = 'bed_day' OR NOT f = ANY({VISIT_FORMS}))))
            THEN 'DOUBLE_CARE' ELSE 'NO_DECISION' END
       FROM bl_records b2 LEFT JOIN (
           SELECT m.id, bool_or(o.inst <> m.inst OR m.kind = 'bed_day' AND o.form <> 'residential'
                                OR m.kind = 'home_visit' AND NOT o.form = ANY({VISIT_FORMS})) AS paid
           FROM bl_records m JOIN bl_records o ON o.person_id = m.person_id AND o.day = m.day AND o.code IS NULL
           WHERE m.code = 'MISMATCH' GROUP BY m.id) o ON o.id = b2.id
       WHERE b2.id = b.id AND b.code = 'MISMATCH'""",
    f"""UPDATE bl_records SET detail = CASE WHEN code = 'DOUBLE_CARE' THEN '当日已由其他机构或其他护理形式支付'
            ELSE '有效待遇核定：' || {FORM_LABEL.format(c="d_form")} || '（机构编号 ' || coalesce(d_inst::text, 'None')
                 || '）' END
       WHERE code IN ('DOUBLE_CARE', 'NO_DECISION') AND detail = ''""",
    # prices of the accepted records: bed-days at the standard; visits and devices filling their limits in order
    """CREATE TEMP TABLE bl_priced AS
       WITH std AS (SELECT key, value FROM bl_policy WHERE kind = 'payment_standard'),
       bonus AS (SELECT (value->>'points')::numeric AS points,
                        ARRAY(SELECT jsonb_array_elements_text(value->'categories')) AS cats
                 FROM bl_policy WHERE kind = 'fund_ratio_bonus'),
       visits AS (
           SELECT b.*, s.value AS std,
                  CASE WHEN b.form = 'home_package_copay'
                       THEN row_number() OVER (PARTITION BY b.inst, b.person_id, b.form,
                                               date_trunc('week', b.started_at AT TIME ZONE 'Asia/Shanghai')
                                               ORDER BY b.started_at, b.id)
                            <= (s.value->>'visits_per_week')::int
                       ELSE true END AS counted,
                  (SELECT round(sum((s.value->>CASE b.form WHEN 'home_family' THEN 'visits_monthly_limit'
                                                     ELSE 'monthly_limit' END)::numeric * n) / 30, 2)
                   FROM (SELECT count(*) AS n FROM bl_days e WHERE e.person_id = b.person_id AND e.code IS NULL
                         AND e.form = b.form AND (e.inst IS NULL OR e.inst = b.inst)) q) AS lim
           FROM (SELECT b.*, coalesce(s1.value, s2.value) AS value FROM bl_records b
                 -- the standard of the form and class, or the form's of every class (Nantong's package)
                 LEFT JOIN std s1 ON s1.key = b.form || ':' || b.class LEFT JOIN std s2 ON s2.key = b.form
                 WHERE b.code IS NULL AND b.kind = 'home_visit') b
           CROSS JOIN LATERAL (SELECT b.value) s(value)),
       visits2 AS (
           SELECT v.*, CASE WHEN counted AND form = 'home_package_copay'
                            THEN least(charged, (std->>'copay_per_visit')::numeric) ELSE 0 END AS copay
           FROM visits v),
       visits3 AS (
           SELECT v.*, sum(CASE WHEN counted THEN charged - copay ELSE 0 END)
                           OVER (PARTITION BY inst, person_id, form ORDER BY started_at, id) AS upto
           FROM visits2 v)
       SELECT id, inst, person_id, form,
              CASE WHEN counted THEN copay + least(charged - copay, greatest(lim - (upto - (charged - copay)), 0))
                   ELSE 0 END AS base,
              CASE WHEN form = 'home_package_copay' THEN 1 ELSE (std->>'fund_ratio')::numeric END AS ratio,
              CASE WHEN counted THEN copay ELSE 0 END AS copay, 'OVER_LIMIT' AS over_code
       FROM visits3
       UNION ALL
       SELECT id, inst, person_id, form,
              least(charged, greatest((std->>'yearly_limit')::numeric
                                      - (sum(charged) OVER (PARTITION BY inst, person_id ORDER BY day, id) - charged), 0)),
              (std->>'fund_ratio')::numeric, 0, 'OVER_LIMIT'
       FROM (SELECT b.*, s.value AS std FROM bl_records b JOIN std s ON s.key = 'device:' || b.class
             WHERE b.code IS NULL AND b.kind = 'device') d
       UNION ALL
       SELECT b.id, b.inst, b.person_id, b.form, least(b.charged, (s.value->>'daily')::numeric),
              least(1, (s.value->>'fund_ratio')::numeric
                       + CASE WHEN b.categories::text[] && (SELECT cats FROM bonus) THEN (SELECT points FROM bonus) ELSE 0 END),
              0, 'OVER_PRICE'
       FROM bl_records b JOIN std s ON s.key = 'residential:' || b.class || ':life'
       WHERE b.code IS NULL AND b.kind = 'bed_day'""",
    """UPDATE bl_records b SET code = p.over_code FROM bl_priced p WHERE p.id = b.id AND p.base < b.charged""",
    # institution lines
    """INSERT INTO baseline.settlement_settlementline (run_id, institution_id, person_id, care_form, service_month,
           quantity, charged_amount, fund_amount, personal_amount, rejected_amount, reason_codes, is_late,
           is_adjustment, details)
       SELECT %(run)s, inst, person_id, form, '2024-06-01', quantity, charged, fund, base - fund, charged - base,
              codes, false, false, jsonb_build_object('classes', to_jsonb(classes))
       FROM (SELECT b.inst, b.person_id, b.form,
                    CASE WHEN b.form = 'residential' THEN count(DISTINCT b.day) ELSE count(*) END AS quantity,
                    sum(b.charged) AS charged, coalesce(sum(p.base), 0) AS base,
                    CASE WHEN b.form = 'residential' THEN coalesce(round(sum(p.base * p.ratio), 2), 0)
                         WHEN b.form = 'home_package_copay' THEN coalesce(sum(p.base - p.copay), 0)
                         ELSE coalesce(round(sum(p.base) * max(p.ratio), 2), 0) END AS fund,
                    coalesce(array_agg(DISTINCT b.code::text COLLATE "C" ORDER BY b.code::text COLLATE "C")
                             FILTER (WHERE b.code IS NOT NULL), '{}') AS codes,
                    coalesce(array_agg(DISTINCT b.class ORDER BY b.class) FILTER (WHERE NOT b.classless
                             AND b.class IS NOT NULL), '{}') AS classes
             FROM bl_records b LEFT JOIN bl_priced p ON p.id = b.id
             GROUP BY b.inst, b.person_id, b.form) l""",
    # allowances paid to persons: each eligible day of an allowance form the decision holds
    f"""INSERT INTO baseline.settlement_settlementline (run_id, institution_id, person_id, care_form, service_month,
           quantity, charged_amount, fund_amount, personal_amount, rejected_amount, reason_codes, is_late,
           is_adjustment, details)
       SELECT %(run)s, NULL, person_id, af, '2024-06-01', days, amount, amount, 0, 0, '{{}}', false, false,
              jsonb_build_object('classes', jsonb_build_array(class), 'parts', jsonb_build_array(jsonb_build_object(
                  'class', class, 'days', days, 'carer_trained', trained, 'amount', amount::text)))
       FROM (SELECT a.person_id, a.af, a.class, a.trained, count(*) AS days,
                    round((s.value->>CASE WHEN a.af = 'home_family' THEN 'daily_allowance' ELSE 'daily' END)::numeric
                          * count(*) * CASE WHEN a.af = 'home_family' AND a.trained = false
                                            THEN (s.value->>'untrained_ratio')::numeric ELSE 1 END, 2) AS amount
             FROM (SELECT e.person_id, e.class, e.trained, f AS af
                   FROM bl_days e LEFT JOIN bl_combined c ON c.form = e.form,
                        unnest(ARRAY[e.form] || coalesce(c.also, '{{}}')) f
                   WHERE e.code IS NULL AND f = ANY({ALLOWANCE_FORMS})) a
             JOIN bl_policy s ON s.kind = 'payment_standard' AND s.key = a.af || ':' || a.class
             GROUP BY a.person_id, a.af, a.class, a.trained, s.value) l""",
    """INSERT INTO baseline.settlement_recordaudit (run_id, record_id, line_id, codes, charged_amount, base_amount,
           rejected_amount, detail, service_month)
       SELECT %(run)s, b.id, l.id, CASE WHEN b.code IS NULL THEN '{}' ELSE ARRAY[b.code] END, b.charged,
              coalesce(p.base, 0), b.charged - coalesce(p.base, 0), left(b.detail, 300), '2024-06-01'
       FROM bl_records b LEFT JOIN bl_priced p ON p.id = b.id
       JOIN baseline.settlement_settlementline l ON l.institution_id = b.inst AND l.person_id = b.person_id
            AND l.care_form = b.form""",
    "DROP TABLE bl_policy, bl_combined, bl_persons, bl_days, bl_records, bl_priced",
    "RESET jit",
    "RESET work_mem",
]
RESULT_TABLES = ("settlement_settlementline", "settlement_recordaudit")
COMPARE = {
    "lines": """SELECT institution_id, person_id, care_form, service_month, quantity, charged_amount, fund_amount,
                       personal_amount, rejected_amount, reason_codes::text, is_late, details::text
                FROM {s}.settlement_settlementline""",
    "record audits": """SELECT a.record_id, l.institution_id, l.person_id, l.care_form, a.codes::text, a.charged_amount,
                               a.base_amount, a.rejected_amount, a.detail
                        FROM {s}.settlement_recordaudit a JOIN {s}.settlement_settlementline l ON l.id = a.line_id""",
}


def _baseline_tables(cursor) -> None:
    """Empty copies of the result tables in schema baseline, with the same indexes, checks and foreign
    keys (the line of an audit row is the baseline's own line)."""
    cursor.execute("CREATE SCHEMA baseline")
    for table in RESULT_TABLES:
        cursor.execute(f"CREATE TABLE baseline.{table} (LIKE public.{table} INCLUDING ALL)")
    copy_foreign_keys(cursor, RESULT_TABLES)


CODE_COUNTS = """SELECT c, count(*) FROM {s}.settlement_recordaudit, unnest(codes) c GROUP BY c"""


def code_counts() -> bool:
    """Print the records per reason code of the run and of the baseline; False (NOT EQUAL printed) when a
    SPEC 7.2 code does not occur or the counts differ."""
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for schema in ("public", "baseline"):
            cursor.execute(CODE_COUNTS.format(s=schema))  # noqa: S608 - our own schema names
            counts[schema] = dict(cursor.fetchall())
    ok = True
    print("  records per reason code (run / plain SQL):")
    for code in CODES:
        real, base = counts["public"].get(code, 0), counts["baseline"].get(code, 0)
        flag = (
            "" if real and real == base else "  NOT EQUAL" if real != base else "  NOT EQUAL (does not occur)"
        )
        ok = ok and not flag
        print(f"    {code:<24}{real:>10}{base:>10}{flag}")
    for code in sorted((set(counts["public"]) | set(counts["baseline"])) - set(CODES)):
        print(
            f"    {code:<24}{counts['public'].get(code, 0):>10}{counts['baseline'].get(code, 0):>10}  NOT EQUAL"
        )
        ok = False
    return ok


def lines_per_form() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT care_form, count(*), sum(quantity) FROM settlement_settlementline GROUP BY 1 ORDER BY 1"
        )
        return ", ".join(f"{form} {n} lines/{q} units" for form, n, q in cursor.fetchall())


@register(
    "settlement",
    size_arg="records",
    default_size=1_500_000,
    all_size=60_000,
    help="monthly settlement of about N service records of every care form (N/24 persons, 360 institutions)",
)
def bench(records: int) -> dict:
    setup_fresh_database("bench_settlement")
    from django.core.management import call_command
    from django.db import connection

    from settlement.services.run import settlement_run

    persons = max(1000, records // RECORDS_PER_PERSON)
    call_command("load_policy", "xuzhou-2022", verbosity=0)
    add_nantong_forms()
    from ltci.core.partitions import ensure_partitions

    ensure_partitions(
        "settlement_servicerecord", MONTH
    )  # the month's records partition, as an import makes it
    with connection.cursor() as cursor:
        load(cursor, persons)
        cursor.execute("SELECT count(*) FROM settlement_servicerecord")
        results: dict = {"records": cursor.fetchone()[0], "persons": persons}
        _baseline_tables(cursor)
    with timer(results, "real"):
        run = settlement_run(month=MONTH)
    with timer(results, "baseline"), connection.cursor() as cursor:
        for sql in BASELINE_SQL:
            cursor.execute(sql, {"run": run.pk})
    results["equal"] = schemas_equal(COMPARE)
    results["codes_equal"] = code_counts()
    results["equal"] = results["equal"] and results["codes_equal"]
    results["fund_total"] = run.fund_total
    print("  " + lines_per_form())
    print(
        report(
            f"settlement ({results['records']} records, {persons} persons, {ALL_INSTITUTIONS} institutions)",
            results,
        )
    )
    if not results["equal"]:
        print("settlement: NOT EQUAL")
    if run.job_id:
        from ltci.core.models import JobRun

        print("stages:", JobRun.objects.get(pk=run.job_id).message)
    on_workers(results)
    return results


def on_workers(results: dict, counts=(1, 2)) -> None:
    """The same month fanned out to 1 and 2 Celery worker processes (issue 20): each a new version of the
    month (replacing the previous draft), compared with the baseline again; times and ratios printed."""
    from settlement.services.fanout import settlement_fanout

    from ._workers import timed_on_workers

    persons = results["persons"]
    equal = True

    def checked():
        nonlocal equal
        equal = equal and schemas_equal(COMPARE)

    def start():  # about 8 chunks of persons: both workers busy to the end
        return settlement_fanout(month=MONTH, chunk_persons=max(1, persons // 8))

    def reset():  # the baseline's rows point at the in-process run's version, which a new run replaces
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' "
                "AND connamespace = 'baseline'::regnamespace AND confrelid = 'public.settlement_settlementrun'::regclass"
            )
            for table, name in cursor.fetchall():
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")

    times = timed_on_workers(counts, start, reset=reset, after=checked)
    results["workers"] = times
    results["workers_equal"] = equal
    for count, seconds in times.items():
        print(
            f"settlement ({results['records']} records) on {count} worker process(es): {seconds:.2f}s, "
            f"ratio to in-process {seconds / results['real']:.2f}, to plain SQL {seconds / results['baseline']:.2f}"
        )
    print(f"settlement on workers: results equal to plain SQL: {equal}", flush=True)
