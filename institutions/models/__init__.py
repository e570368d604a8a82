"""Agreement institutions (SPEC 6): the core records in base, oversight records in oversight."""

from .base import (  # noqa: F401
    Agreement,
    Bed,
    BedUse,
    CareForm,
    Caregiver,
    Employment,
    Institution,
    InstitutionContact,
    InstitutionType,
    InstitutionUser,
    SickbedPartner,
)
from .oversight import (  # noqa: F401
    AgreementPause,
    Appraisal,
    AppraisalScore,
    CaregiverCertificate,
    CaregiverTraining,
    InstitutionEvent,
    InsuranceNotice,
    Violation,
    ViolationAction,
    ViolationEvidence,
    ViolationType,
)
