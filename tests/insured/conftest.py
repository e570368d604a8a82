"""The insured person's site reuses the builders and the policy fixture of the benefits tests."""

from tests.benefits.conftest import (  # noqa: F401 (fixtures and builders re-exported for these tests)
    covered_classes_record,
    make_conclusion,
    make_id,
    make_institution,
    make_person,
    policy,
)
