"""Stage 2 of the monthly run (SPEC 7.2): give each staged record the first audit rule it fails, or accept it.

The rules are declared once, in ``RULES``, in the order SPEC 7.2 checks them: each has its step (its place
in the list), its reason code, the SQL condition that makes a record fail it, and the SQL of the plain reason
shown with the code. One statement generated from the list audits every record (run_audited); the two
rules whose answer depends on the order of the records (registered beds full, double care) are replayed in
Python afterwards for the few records they can concern (``REPLAYED``), and their steps follow the SQL ones.

The conditions read the staged facts (``stage.py``) under these aliases: ``r`` the record (run_records),
``s`` its eligibility segment that day (run_eligibility), ``sb`` a home sickbed (run_sickbeds), ``fm`` its kind against the decided form
(run_form_map), ``i`` the institution, ``g`` its agreement that day (run_agreement_days), ``t`` the bed
standard (run_bed_standards), ``m`` the admission (run_admissions), ``e`` the caregiver's employment
(run_employments), ``o`` an overlap of the caregiver's visits (run_caregiver_overlaps).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation

from benefits import rules as eligibility_rules
from benefits.models import Admission
from institutions.models import Bed, CareForm, Employment, Institution, InstitutionType
from ltci.core.models import in_force_sql
from ltci.core.policy import NoPolicyInForce, PolicyNotEntered
from ltci.core.sql import execute, fetch, temp_table

from .. import rules
from ..models import ServiceRecord
from .stage import Segments

TEMP_TABLES = ("run_audited", "run_audit_fixes")
INSTITUTION = Institution._meta.db_table
DUPLICATE_TEXT = "与先前一条记录的机构、参保人、类型、日期、服务内容和开始时间相同"


@dataclass(frozen=True)
class Rule:
    """One audit rule. ``code`` is its reason code; ``code_sql`` gives it instead when the data names the
    code (the failing eligibility condition, the staff exclusion); a rule with neither is resolved after the
    statement (``REPLAYED``) or stops the run."""

    name: str
    when: str  # SQL: the record fails the rule
    code: str | None
    detail: str  # SQL: the plain reason
    code_sql: str | None = None


BED_DAY, VISIT = "r.kind = 'bed_day'", "r.kind = 'home_visit'"
CONDITION_5 = ", ".join(f"'{code}'" for code in (eligibility_rules.HOSPITAL, eligibility_rules.OTHER_FUND))
RULES: tuple[Rule, ...] = (
    Rule("duplicate", "r.dup", rules.DUPLICATE, f"'{DUPLICATE_TEXT}'"),
    Rule("no_verdict", "s.person_id IS NULL", rules.NOT_COVERED, "'当日无待遇资格判定'"),
    # condition 1 for a bed-day: the day of death counts as leaving (SPEC 5.2 dates), so it fails where the
    # explanation fails it (benefits.eligibility.explain, "covered")
    Rule(
        "death_day",
        f"{BED_DAY} AND s.died_on = r.service_date",
        rules.NOT_COVERED,
        "'死亡当日不计床日'",
    ),
    # the eligibility condition 1-4 that failed (SPEC 5.1), with its own code
    Rule(
        "not_eligible",
        f"NOT s.eligible AND coalesce(s.reason_code, '') NOT IN ({CONDITION_5})",
        None,
        "x.v_detail",
        f"coalesce(x.reason_code, '{rules.NOT_COVERED}')",
    ),
    # condition 4 for the record: not the decision's form or institution, DOUBLE_CARE or NO_DECISION,
    # replayed (_double_care)
    # a form the decision's form is held together with (combined_forms policy) is not bound to the decision's
    # form or institution; a home sickbed's medical bed-day (sb, run_sickbeds) is billed by the medical
    # institution partnering the decision's elderly-care institution (seed 001 家庭病床)
    Rule(
        "not_the_decision",
        "CASE WHEN fm.form = ANY(s.also_forms) THEN false WHEN sb.institution_id IS NOT NULL THEN NOT fm.matches "
        "ELSE NOT fm.matches OR s.institution_id <> r.institution_id END",
        None,
        "''",
    ),
    # condition 5 (SPEC 5.1): in hospital, or another fund pays the care; SPEC 7.2 lists it after condition 4
    Rule("not_eligible_that_day", "NOT s.eligible", None, "x.v_detail", "x.reason_code"),
    Rule(
        "no_agreement",
        "g.institution_id IS NULL",
        rules.FORM_NOT_AGREED,
        "'机构当日无有效协议'",
    ),
    Rule(
        "form_not_agreed",
        "NOT fm.form = ANY(g.covered_forms)",
        rules.FORM_NOT_AGREED,
        "'协议不包含护理形式：' || {form_label}",
    ),
    # the payment standard is not entered: the run stops with the standard's error (raise_missing_standard)
    Rule("missing_standard", f"{BED_DAY} AND t.daily IS NULL", None, "''"),
    Rule(
        "institution_type",
        f"{BED_DAY} AND NOT coalesce(i.type = ANY(t.institution_types), false)",
        rules.FORM_NOT_AGREED,
        "{inst_type_label} || '不支付' || {component_label} || '床日'",
    ),
    Rule(
        "not_admitted",
        f"{BED_DAY} AND m.person_id IS NULL",
        rules.BED,
        "'当日未在该机构入住（出院当日不计床日）'",
    ),
    Rule(
        "bed_not_registered",
        f"{BED_DAY} AND NOT (m.bed_id IS NOT NULL AND {in_force_sql(Bed, 'm', 'r.service_date')})",
        rules.BED,
        "'床位未备案'",
    ),
    Rule("no_caregiver", f"{VISIT} AND r.caregiver_national_id = ''", rules.CAREGIVER, "'未填写护理人员'"),
    Rule(
        "caregiver_not_employed",
        f"{VISIT} AND e.institution_id IS NULL",
        rules.CAREGIVER,
        "'护理人员当日未在该机构备案'",
    ),
    Rule(
        "caregiver_overlap",
        f"{VISIT} AND o.id IS NOT NULL",
        rules.CAREGIVER,
        "'与同一护理人员先前的上门服务时间重叠'",
    ),
    Rule("excluded", "r.excluded_code <> ''", None, "'经办人员认定不予支付'", "x.excluded_code"),
)
# Replayed in Python after the statement, in this order (their steps follow the SQL rules'): registered beds
# exceeded that day (BED), and the records of "not_the_decision" resolved to DOUBLE_CARE or NO_DECISION.
REPLAYED = ("beds_full", "decision_resolved")
CLASSLESS = ("duplicate", "no_verdict", "death_day", "not_eligible", "not_eligible_that_day")
STEP = {name: n for n, name in enumerate([rule.name for rule in RULES] + list(REPLAYED), start=1)}

AUDIT_SQL = """
CREATE TEMP TABLE run_audited AS
SELECT x.id, x.institution_id, x.person_id, x.kind, x.day, x.component, x.charged, x.started_at,
       x.service_month, x.late, x.form, x.v_form, x.v_inst, x.cat, x.cap, x.ratio, x.step,
       CASE WHEN x.step IS NULL OR x.step NOT IN ({classless}) THEN x.v_class END AS benefit_class,
       CASE x.step {code_cases} END AS code,
       CASE x.step {detail_cases} ELSE '' END AS detail, x.sickbed
FROM (
    SELECT r.id, r.institution_id, r.person_id, r.kind, r.service_date AS day, r.component,
           r.charged_amount AS charged, r.started_at, r.service_month, r.late, r.excluded_code,
           s.care_form AS v_form, s.institution_id AS v_inst, s.reason_code, s.detail AS v_detail,
           s.benefit_class AS v_class, s.cat, fm.form, i.type AS inst_type, t.ratio,
           least(coalesce(CASE r.component WHEN 'life' THEN g.price_life ELSE g.price_medical END, t.daily),
                 t.daily) AS cap,
           sb.institution_id IS NOT NULL AS sickbed,
           CASE {step_cases} END AS step
    FROM run_records r
    LEFT JOIN run_eligibility s ON s.person_id = r.person_id AND r.service_date BETWEEN s.d_from AND s.d_to
    LEFT JOIN run_sickbeds sb ON r.kind = 'bed_day' AND r.component = 'medical'
         AND sb.institution_id = r.institution_id AND sb.day = r.service_date AND sb.partner_id = s.institution_id
         AND s.benefit_class = ANY(sb.classes)
    JOIN run_form_map fm ON fm.kind = r.kind AND fm.care_form = coalesce(s.care_form, '')
    JOIN {institution} i ON i.id = r.institution_id
    LEFT JOIN run_agreement_days g ON g.institution_id = r.institution_id AND g.day = r.service_date
    LEFT JOIN run_bed_standards t ON r.kind = 'bed_day' AND t.benefit_class = s.benefit_class
         AND t.component = r.component AND t.day = r.service_date AND t.cat = s.cat
    LEFT JOIN run_admissions m ON r.kind = 'bed_day' AND m.person_id = r.person_id
         AND m.institution_id = coalesce(sb.partner_id, r.institution_id) AND {admitted}
    LEFT JOIN run_employments e ON r.kind = 'home_visit' AND e.institution_id = r.institution_id
         AND e.national_id = r.caregiver_national_id AND {employed}
    LEFT JOIN run_caregiver_overlaps o ON o.id = r.id
    OFFSET 0  -- computed once per record: a subquery pulled up would repeat the step's CASE in every use of x.step
) x
"""


def _label_case(column: str, choices) -> str:
    """SQL giving the label of the code in ``column`` (the code itself when it has none)."""
    cases = " ".join(f"WHEN {quoted(code)} THEN {_text(label)}" for code, label in choices)
    return f"CASE {column} {cases} ELSE {column} END"


def _text(label) -> str:
    return "'" + str(label).replace("'", "''") + "'"


def _label_cases() -> dict[str, str]:
    """The labels the reasons name, in the office's language (the reasons are stored and shown as written)."""
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "form_label": _label_case("x.form", CareForm.choices),
            "inst_type_label": _label_case("x.inst_type", InstitutionType.choices),
            "component_label": _label_case("x.component", ServiceRecord._meta.get_field("component").choices),
        }


def _care_form(code: str | None) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(dict(CareForm.choices).get(code or "", code or ""))


def quoted(code: str | None) -> str:
    return f"'{code}'"


def audit_sql() -> str:
    """The audit statement, generated from RULES: the first failing rule's step, code and reason."""
    step_cases = " ".join(f"WHEN {rule.when} THEN {STEP[rule.name]}" for rule in RULES)
    code_cases = " ".join(
        f"WHEN {STEP[rule.name]} THEN {rule.code_sql or quoted(rule.code)}"
        for rule in RULES
        if rule.code or rule.code_sql
    )
    labels = _label_cases()
    detail_cases = " ".join(f"WHEN {STEP[rule.name]} THEN {rule.detail.format(**labels)}" for rule in RULES)
    return AUDIT_SQL.format(
        step_cases=step_cases,
        code_cases=code_cases,
        detail_cases=detail_cases,
        # a record failing the person's eligibility that day has no benefit class
        classless=", ".join(str(STEP[name]) for name in CLASSLESS),
        institution=INSTITUTION,
        # run_admissions and run_employments keep their models' columns: the models' validity dates them
        admitted=in_force_sql(Admission, "m", "r.service_date"),
        employed=in_force_sql(Employment, "e", "r.service_date"),
    )


def audit_records(month: dt.date, segments: Segments) -> None:
    """Give each record its code (first failing rule) or accept it, in the order of SPEC 7.2."""
    execute(audit_sql())
    execute("ANALYZE run_audited")
    raise_missing_standard()
    _fix(_beds_full())
    _fix(_double_care(month, segments))


def raise_missing_standard() -> None:
    """Stop the run with the standard's own error when a record needs a standard staff have not entered."""
    if not fetch("SELECT 1 FROM run_bed_standards WHERE missing IS NOT NULL LIMIT 1"):
        return  # every standard is entered: no record can need a missing one (no pass over the records)
    row = fetch(
        "SELECT t.missing, t.error FROM run_audited a JOIN run_bed_standards t ON t.benefit_class = a.benefit_class "
        "AND t.component = a.component AND t.day = a.day AND t.cat = a.cat WHERE a.step = %s LIMIT 1",
        [STEP["missing_standard"]],
    )
    if row:
        kind, error = row[0]
        raise (PolicyNotEntered if kind == "PolicyNotEntered" else NoPolicyInForce)(error)


def _fix(rows: list[tuple[int, str, str, int]]) -> None:
    if rows:
        temp_table("run_audit_fixes", "id int, code text, detail text, step int", rows)
        execute(
            "UPDATE run_audited a SET code = f.code, detail = f.detail, step = f.step "
            "FROM run_audit_fixes f WHERE a.id = f.id"
        )


def _beds_full() -> list[tuple]:
    """Registered beds exceeded (BED): replayed in record order for the institution-days with more
    candidate bed-days than registered beds; a person keeps the bed once in it that day."""
    if not fetch("SELECT 1 FROM run_bed_capacity WHERE records > capacity LIMIT 1"):
        return []
    rows = fetch(
        """
        SELECT a.id, a.institution_id, a.day, a.person_id, a.step, c.capacity FROM run_audited a
        JOIN run_bed_capacity c ON c.institution_id = a.institution_id AND c.day = a.day
             AND c.records > c.capacity
        WHERE a.kind = 'bed_day' AND NOT a.sickbed AND (a.step IS NULL OR a.step = %(excluded)s)
        ORDER BY a.institution_id, a.day, a.id""",
        {"excluded": STEP["excluded"]},
    )
    fixes: list[tuple[Any, ...]] = []
    beds: set[int] = set()
    key: tuple[int, dt.date] | None = None
    for pk, institution_id, day, person_id, step, capacity in rows:
        if (institution_id, day) != key:
            key, beds = (institution_id, day), set()
        if person_id not in beds and len(beds) >= capacity:
            fixes.append((pk, rules.BED, "当日超出备案床位数", STEP["beds_full"]))
        elif step is None:
            beds.add(person_id)
    return fixes


def _double_care(month: dt.date, segments: Segments) -> list[tuple]:
    """A record not of the decision's form or institution: DOUBLE_CARE when something else is paid that
    day (an accepted record of another institution or form, an allowance of the run's month), else
    NO_DECISION."""
    mismatch = STEP["not_the_decision"]
    mismatches = fetch(
        "SELECT id, person_id, day, kind, institution_id, v_form, v_inst FROM run_audited WHERE step = %s",
        [mismatch],
    )
    if not mismatches:
        return []
    paid: dict[tuple[int, dt.date], set] = defaultdict(set)
    for (person_id, day), form in segments.allowance_days(month).items():
        paid[(person_id, day)].add((None, form))
    for person_id, day, institution_id, form in fetch(
        """
            SELECT a.person_id, a.day, a.institution_id, a.form FROM run_audited a
            WHERE a.step IS NULL
              AND (a.person_id, a.day) IN (SELECT person_id, day FROM run_audited WHERE step = %s)""",
        [mismatch],
    ):
        paid[(person_id, day)].add((institution_id, form))
    fixes = []
    resolved = STEP["decision_resolved"]
    for pk, person_id, day, kind, institution_id, v_form, v_inst in mismatches:
        if kind != "device" and rules.is_double_care(kind, institution_id, paid[(person_id, day)]):
            fixes.append((pk, rules.DOUBLE_CARE, "当日已由其他机构或其他护理形式支付", resolved))
        else:
            fixes.append(
                (pk, rules.NO_DECISION, f"有效待遇核定：{_care_form(v_form)}（机构编号 {v_inst}）", resolved)
            )
    return fixes
