"""The audit rules are declared once (settlement/services/audit.py RULES): the statement's CASE, the step
numbers and the order of the checks all come from that list (SPEC 7.2)."""

import re

from settlement import rules
from settlement.services import audit


def test_the_statement_checks_the_rules_in_their_declared_order_with_their_place_as_step():
    sql = audit.audit_sql()
    positions = [
        re.search(re.escape(f"WHEN {rule.when} THEN {audit.STEP[rule.name]}") + r"\b", sql).start()
        for rule in audit.RULES
    ]
    assert positions == sorted(positions)
    assert [audit.STEP[rule.name] for rule in audit.RULES] == list(range(1, len(audit.RULES) + 1))
    assert list(audit.STEP) == [rule.name for rule in audit.RULES] + list(audit.REPLAYED)


def test_every_declared_code_is_a_reason_code_of_spec_7_2():
    codes = {rule.code for rule in audit.RULES if rule.code}
    assert codes <= set(rules.REASON_TEXT)
    assert {rules.DUPLICATE, rules.NOT_COVERED, rules.FORM_NOT_AGREED, rules.BED, rules.CAREGIVER} <= codes
    assert all(
        rule.code or rule.code_sql or rule.name in ("not_the_decision", "missing_standard")
        for rule in audit.RULES
    )
