"""The benefit decision letter (待遇核定通知书, SPEC 10) as PDF: numbered, re-issued byte-identically."""
from django.utils import timezone

from ltci.core.idnumber import mask_id
from ltci.core.pdf import render_pdf

from .models import BenefitDecision

ISSUER = "长期护理保险经办机构"


def decision_document_no(decision: BenefitDecision) -> str:
    """DY-<start year>-<id, 6 digits>: stable for re-issues."""
    return f"DY-{decision.starts_on.year}-{decision.pk:06d}"


def decision_letter_context(decision: BenefitDecision) -> dict:
    """Build the context from the decision alone, so a re-issue renders the same document."""
    from assessment.scales import GRADE_NAMES

    conclusion = decision.conclusion
    return {
        "title": "长期护理保险待遇核定通知书",
        "document_no": decision_document_no(decision),
        "issued_at": timezone.localtime(decision.created_at).replace(microsecond=0),
        "issuer": ISSUER,
        "decision": decision,
        "person": decision.person,
        "masked_id": mask_id(decision.person.national_id),
        "care_form": decision.get_care_form_display(),
        "benefit_class": decision.get_benefit_class_display(),
        "grade_name": f"{conclusion.grade}级 {GRADE_NAMES[conclusion.grade]}" if conclusion else "",
        "conclusion": conclusion,
        "institution": decision.institution,
        "scheme": decision.policy_scheme.name if decision.policy_scheme_id else "",
        "end_reason": decision.get_end_reason_display() if decision.end_reason else "",
    }


def decision_letter_pdf(decision: BenefitDecision) -> bytes:
    return render_pdf("documents/decision_letter.html", decision_letter_context(decision))
