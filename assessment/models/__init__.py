"""Assessment models (SPEC 4): conclusions and events, the application workflow, assessors, fees."""

from .conclusions import Conclusion, ConclusionEvent, ExpiryReminder
from .workflow import (
    Application,
    ApplicationDocument,
    AssessmentFee,
    Assessor,
    Assignment,
    CommitteeDecision,
    Objection,
    SpotCheck,
    Visit,
    VisitPhoto,
)

__all__ = [
    "Application",
    "ApplicationDocument",
    "AssessmentFee",
    "Assessor",
    "Assignment",
    "CommitteeDecision",
    "Conclusion",
    "ConclusionEvent",
    "ExpiryReminder",
    "Objection",
    "SpotCheck",
    "Visit",
    "VisitPhoto",
]
