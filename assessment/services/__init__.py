"""Every write of the assessment app (SPEC 4); see the modules for each step of the workflow."""

from .applications import application_accept, application_return, application_submit, application_withdraw
from .assignment import application_assign, assignment_decline
from .conclusions import (
    conclusion_finalize,
    conclusion_publish_notice,
    conclusion_revoke,
    conclusions_import_rows,
)
from .housekeeping import conclusions_expire, expiry_reminders_create, spot_check_order
from .review import committee_decide, objection_raise, objection_resolve, review_request
from .visits import visit_confirm, visit_record

__all__ = [
    "application_accept",
    "application_assign",
    "application_return",
    "application_submit",
    "application_withdraw",
    "assignment_decline",
    "committee_decide",
    "conclusion_finalize",
    "conclusion_publish_notice",
    "conclusion_revoke",
    "conclusions_expire",
    "conclusions_import_rows",
    "expiry_reminders_create",
    "objection_raise",
    "objection_resolve",
    "review_request",
    "spot_check_order",
    "visit_confirm",
    "visit_record",
]
