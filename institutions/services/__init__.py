"""Every write of the institutions app (keyword-only, atomic, audited). See the modules for details."""

from .lifecycle import (  # noqa: F401
    agreement_renew,
    agreement_set_insurance,
    agreement_sign,
    agreements_expire,
    institution_pass_review,
    institution_reinstate,
    institution_reject,
    institution_submit_review,
    institution_suspend,
    institution_terminate,
    insurance_check,
)
from .oversight import (  # noqa: F401
    appraisal_recompute,
    appraisal_record,
    violation_add_evidence,
    violation_record,
    violations_mark_deducted,
)
from .records import (  # noqa: F401
    bed_add,
    bed_end,
    beds_set_count,
    caregiver_certificate_add,
    caregiver_employ,
    caregiver_training_add,
    caregiver_update,
    employment_end,
    institution_user_create,
    institution_user_deactivate,
    institution_user_set_role,
)
