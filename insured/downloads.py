"""Documents of the insured person's site: letters, notices, certificates and application documents of the
persons the account may view (404 for any other)."""

from django.http import Http404

from assessment.documents import conclusion_notice_pdf
from assessment.models import ApplicationDocument, Conclusion
from benefits.documents import (
    certificate_document_no,
    certificate_pdf,
    decision_document_no,
    decision_letter_pdf,
)
from benefits.models import BenefitDecision
from enrollment.models import Contribution
from ltci.core.downloads import attachment, stored_file

from .views import insured_required


@insured_required
def decision_letter(request, pk):
    decision = (
        BenefitDecision.objects.filter(pk=pk, person__in=request.viewable)
        .select_related("person", "conclusion", "institution")
        .first()
    )
    if decision is None:
        raise Http404("no such decision")
    return attachment(decision_letter_pdf(decision), f"{decision_document_no(decision)}.pdf")


@insured_required
def contribution_certificate(request, year):
    """The contribution certificate (参保缴费证明) of the person being viewed, for one year (no code on it)."""
    contribution = None
    if request.viewed is not None:
        contribution = (
            Contribution.objects.filter(person=request.viewed, year=year).select_related("person").first()
        )
    if contribution is None:
        raise Http404("no such contribution")
    return attachment(certificate_pdf(contribution), f"{certificate_document_no(contribution)}.pdf")


@insured_required
def conclusion_notice(request, pk):
    conclusion = Conclusion.objects.filter(
        pk=pk, person__in=request.viewable, state=Conclusion.State.FINAL
    ).first()
    if conclusion is None:
        raise Http404("no such conclusion")
    return attachment(conclusion_notice_pdf(conclusion), f"{conclusion.document_no}.pdf")


@insured_required
def application_document(request, pk):
    """A supporting document of an assessment application of a person this account may view."""
    document = ApplicationDocument.objects.filter(pk=pk, application__person__in=request.viewable).first()
    if document is None:
        raise Http404("no such document")
    return stored_file(document.file, document.display_name)
