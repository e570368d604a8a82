"""The benefit decision letter (待遇核定通知书, SPEC 10) as PDF: numbered, re-issued byte-identically."""

from django.utils import timezone

from ltci.core.idnumber import mask_id
from ltci.core.pdf import render_pdf

from .models import BenefitDecision


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


# ---------------------------------------------------------------------------------------------------------
# Contribution certificate (参保缴费证明, SPEC 8, 10)


def certificate_document_no(contribution) -> str:
    """JF-<year>-<person id, 8 digits>: one certificate per person and contribution year."""
    return f"JF-{contribution.year}-{contribution.person_id:08d}"


def certificate_context(contribution, *, activation_code: str = "") -> dict:
    """Build the certificate from the person's records alone, so a re-issue renders the same document.

    ``activation_code`` is printed only on the copy handed out when staff issue the one-time code (the code is
    stored hashed and cannot be printed again); every other copy is identical and carries no code.
    """
    import datetime as dt

    from enrollment.models import CoveragePeriod
    from enrollment.selectors import payable_from

    person = contribution.person
    paid_on = contribution.fully_paid_on
    issued_on = paid_on or contribution.due_by
    issued = dt.datetime.combine(issued_on, dt.time(9), tzinfo=timezone.get_default_timezone())
    sources = [
        ("个人缴费", contribution.individual_amount),
        ("医保统筹基金", contribution.pooled_fund_amount),
        ("财政补助", contribution.fiscal_amount),
        ("单位缴费", contribution.employer_amount),
    ]
    return {
        "title": "长期护理保险参保缴费证明",
        "document_no": certificate_document_no(contribution),
        "issued_at": issued,
        "person": person,
        "masked_id": mask_id(person.national_id),
        "contribution": contribution,
        "sources": [(label, amount) for label, amount in sources if amount],
        "coverage": list(
            CoveragePeriod.objects.filter(
                person=person, start__lte=dt.date(contribution.year, 12, 31)
            ).order_by("start")
        ),
        "payable_from": payable_from(person=person),
        "activation_code": activation_code,
    }


def certificate_pdf(contribution, *, activation_code: str = "") -> bytes:
    return render_pdf(
        "documents/contribution_certificate.html",
        certificate_context(contribution, activation_code=activation_code),
    )
