"""Who may do what: the one declaration of capabilities, used by admin views, admin actions, buttons, portal
pages and the API (and by the permission matrix tests, which are generated from it).

A capability is either a staff one (the staff roles of `ltci.core.roles` that hold it; superusers hold every
staff capability) or a portal one (the roles of institution users: admin, clerk, caregiver, assessor).
A staff capability that only repeats the permission of its admin page names that Django model permission
(`perm`): the groups of the role migrations then decide, so the page and its buttons cannot disagree.

    from ltci.core.permissions import can, requires
    can(request.user, "settlement.run")                 # staff
    can(None, "portal.records", portal_role="clerk")    # portal (institutions.permissions does the lookup)

Admin actions name the capability with underscores, `@admin.action(permissions=["settlement_run"])`, and the
admin defines `has_settlement_run_permission(request)` returning `can(request.user, "settlement.run")`
(Django's public mechanism); custom admin views are decorated with `@requires("settlement.run")`.
"""

from dataclasses import dataclass, field
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from .roles import (
    ENROLLMENT_CLERK,
    FUND_ACCOUNTANT,
    SETTLEMENT_OFFICER,
    SUPERVISOR,
)

# Portal roles (institutions.models.InstitutionUser.Role values; institutions checks that they agree).
ADMIN, CLERK, CAREGIVER, ASSESSOR = "admin", "clerk", "caregiver", "assessor"
PORTAL_ROLES = (ADMIN, CLERK, CAREGIVER, ASSESSOR)


@dataclass(frozen=True)
class Capability:
    description: str
    staff: frozenset = field(default_factory=frozenset)
    perm: str = ""  # a Django model permission ("app.codename"): the page's own permission decides
    portal: frozenset = field(default_factory=frozenset)
    # What it governs in the admin: custom admin URL names ("settlement_reports") and admin actions
    # ("settlement.settlementrun.rerun"); the matrix test checks that each names this capability.
    uses: tuple = ()


def _staff(description, *roles, uses=()):
    return Capability(description, staff=frozenset(roles), uses=uses)


def _page(description, perm, uses=()):
    return Capability(description, perm=perm, uses=uses)


def _portal(description, *roles):
    return Capability(description, portal=frozenset(roles))


LIFECYCLE_ACTIONS = tuple(
    f"institutions.institution.lifecycle_{action}"
    for action in ("submit_review", "pass_review", "suspend", "reinstate", "terminate", "reject")
)
RUN = "settlement.settlementrun."

CAPABILITIES: dict[str, Capability] = {
    # Enrollment
    "enrollment.import": _staff(
        "import roster, account events and payments; their error reports",
        ENROLLMENT_CLERK,
        SUPERVISOR,
        uses=("enrollment_import", "enrollment_import_errors"),
    ),
    "enrollment.run_contributions": _staff(
        "start the yearly contribution run",
        ENROLLMENT_CLERK,
        FUND_ACCOUNTANT,
        SUPERVISOR,
        uses=("enrollment_contribution_run",),
    ),
    "enrollment.arrears": _staff(
        "the arrears work queue (collection of unpaid contributions)",
        ENROLLMENT_CLERK,
        FUND_ACCOUNTANT,
        SUPERVISOR,
    ),
    # Institutions
    "institutions.lifecycle": _staff(
        "institution lifecycle: review, sign, renew, suspend, reinstate, terminate, reject",
        SUPERVISOR,
        uses=("institutions_institution_lifecycle", *LIFECYCLE_ACTIONS),
    ),
    "institutions.portal_users": _staff(
        "create an institution's portal login", SUPERVISOR, uses=("institutions_institution_create_user",)
    ),
    "institutions.import": _staff(
        "import institutions and caregivers",
        SUPERVISOR,
        uses=("institutions_institution_import", "institutions_caregiver_import"),
    ),
    "institutions.violations": _page(
        "read violations and download their evidence",
        "institutions.view_violation",
        uses=("institutions_violation_evidence",),
    ),
    "institutions.insurance_check": _page(
        "acknowledge insurance notices, run the daily agreement check",
        "institutions.change_insurancenotice",
        uses=("institutions_insurancenotice_run_check", "institutions.insurancenotice.acknowledge"),
    ),
    # Assessment
    "assessment.workflow": _page(
        "assessment workflow buttons (accept, assign, publish, objections, conclude)",
        "assessment.change_application",
        uses=("assessment_application_action",),
    ),
    "assessment.review_request": _page(
        "register a review request", "assessment.add_application", uses=("assessment_conclusion_review",)
    ),
    "assessment.import": _page(
        "import conclusions", "assessment.change_conclusion", uses=("assessment_conclusion_import",)
    ),
    "assessment.notice": _page(
        "conclusion notice PDF", "assessment.view_conclusion", uses=("assessment_conclusion_notice",)
    ),
    "assessment.documents": _page(
        "supporting documents and on-site photos of an application",
        "assessment.view_application",
        uses=("assessment_application_document", "assessment_application_photo"),
    ),
    # Benefits
    "benefits.decide": _page(
        "decide, change and end benefit decisions; import them; run the daily ends",
        "benefits.change_benefitdecision",
        uses=(
            "benefits_benefitdecision_new",
            "benefits_benefitdecision_changeform",
            "benefits_benefitdecision_end",
            "benefits_benefitdecision_import",
            "benefits_benefitdecision_run_ends",
            "benefits.benefitdecision.end_on_request_today",
        ),
    ),
    "benefits.letters": _page(
        "benefit decision letter PDF",
        "benefits.view_benefitdecision",
        uses=("benefits_benefitdecision_letter", "benefits.benefitdecision.download_letters"),
    ),
    "benefits.import_hospital_stays": _page(
        "import hospital stays", "benefits.add_hospitalstay", uses=("benefits_hospitalstay_import",)
    ),
    "benefits.import_other_funds": _page(
        "import work-injury and maternity benefits",
        "benefits.add_otherfundbenefit",
        uses=("benefits_otherfundbenefit_import",),
    ),
    "benefits.activation_codes": _page(
        "issue status-page one-time codes",
        "benefits.change_insuredaccount",
        uses=("benefits.insuredaccount.issue_codes", "benefits.insuredaccount.issue_code_with_certificate"),
    ),
    # Settlement and the fund
    "settlement.run": _staff(
        "run or re-run a month's settlement",
        SETTLEMENT_OFFICER,
        SUPERVISOR,
        uses=("settlement_run_start", RUN + "rerun"),
    ),
    "settlement.audit": _staff(
        "audit a run, send it back to draft",
        SETTLEMENT_OFFICER,
        SUPERVISOR,
        uses=(RUN + "audit", RUN + "back_to_draft"),
    ),
    "settlement.approve": _staff("approve a run (four eyes)", SUPERVISOR, uses=(RUN + "approve",)),
    "settlement.pay": _staff(
        "payment list PDF of a final month; mark a month with nothing to pay as paid",
        FUND_ACCOUNTANT,
        SUPERVISOR,
        uses=(RUN + "payment_list",),
    ),
    "settlement.payments": _staff(
        "payment batches: make a batch, download its bank file, read the bank's return file",
        FUND_ACCOUNTANT,
        SUPERVISOR,
        uses=(RUN + "payment_batch", "settlement_paymentbatch_bank_file", "settlement_paymentbatch_return"),
    ),
    # Not the accountant who sends the money: who pays never chooses where it goes (docs/decisions.md).
    "settlement.bank_accounts": _staff(
        "enter and import persons' and institutions' bank accounts",
        ENROLLMENT_CLERK,
        SETTLEMENT_OFFICER,
        SUPERVISOR,
        uses=("settlement_bankaccount_import",),
    ),
    "settlement.appeals": _staff(
        "decide appeals, enter corrections",
        SETTLEMENT_OFFICER,
        SUPERVISOR,
        uses=("settlement.appeal.uphold", "settlement.appeal.dismiss"),
    ),
    "settlement.confirm_charges": _staff(
        "confirm or reject service records held for a charge above the ceiling (SPEC 7.1)",
        SETTLEMENT_OFFICER,
        SUPERVISOR,
        uses=("settlement.servicerecord.confirm_charge", "settlement.servicerecord.reject_charge"),
    ),
    "settlement.statements": _page(
        "statement PDF", "settlement.view_statement", uses=("settlement.statement.download_pdf",)
    ),
    "fund.reports": _staff(
        "fund reports and the disclosure PDF", FUND_ACCOUNTANT, SUPERVISOR, uses=("settlement_reports",)
    ),
    "fund.ledger": _page(
        "sync the fund ledger from the business records",
        "settlement.change_ledgerentry",
        uses=("settlement.ledgerentry.sync",),
    ),
    "core.import_errors": _page(
        "download import error reports", "core.view_importbatch", uses=("core.importbatch.download_errors",)
    ),
    # A job's page, its progress (JSON, polled by the page) and error report: the list of jobs is read by every
    # role; each job's page needs in addition the capability of that job (JOBS below).
    "core.jobs": _page(
        "the job list; a job's page, progress and error report (with the job's own capability)",
        "core.view_jobrun",
        uses=("core_jobrun_progress", "core_jobrun_errors", "core_jobrun_file"),
    ),
    # A fanned-out run whose chunk tasks were lost (no progress for LTCI_FANOUT_STALE_MINUTES): send its
    # unfinished chunks again from its job page; the roles that start such runs, with the job's own capability.
    "core.jobs_redispatch": _staff(
        "re-dispatch the unfinished chunks of a stale fanned-out run (with the job's own capability)",
        ENROLLMENT_CLERK,
        FUND_ACCOUNTANT,
        SETTLEMENT_OFFICER,
        SUPERVISOR,
        uses=("core_jobrun_redispatch",),
    ),
    # The notification log (issue 19): read by the roles that serve persons and the supervisor (core 0008)
    "core.notifications": _page(
        "the notification log and the printed letter batches (read, download)",
        "core.view_notification",
        uses=("core_letterbatch_file",),
    ),
    # The staff case page of a person (office/): its sections follow each app's own view permissions
    "office.case": _page("a person's case page and eligibility explanation", "enrollment.view_person"),
    # Provider portal and API
    "portal.view": _portal(
        "portal home, institution profile and agreement (read)", ADMIN, CLERK, CAREGIVER, ASSESSOR
    ),
    "portal.profile": _portal("edit the institution's contact fields", ADMIN),
    "portal.users": _portal("the institution's users and API tokens", ADMIN),
    "portal.records": _portal("beds, caregivers, violations and appraisals", ADMIN, CLERK),
    "portal.residents": _portal(
        "residents and clients with eligibility (masked ID numbers)", ADMIN, CLERK, CAREGIVER, ASSESSOR
    ),
    "portal.admissions": _portal("admit, discharge, change beds", ADMIN, CLERK),
    "portal.settlement": _portal(
        "service records (full ID numbers), bed days, claims, audit results, appeals, statements",
        ADMIN,
        CLERK,
    ),
    "portal.assessment_tasks": _portal("assessment tasks: on-site form, confirm, decline", ASSESSOR),
    "portal.assessment_agency": _portal("the agency's applications", ADMIN, ASSESSOR),
    "portal.assessment_apply": _portal("a care institution applies for assessments", ADMIN, CLERK),
    "portal.application_documents": _portal(
        "supporting documents of applications the user's institution made or assesses", ADMIN, CLERK, ASSESSOR
    ),
    "portal.visit_photos": _portal("on-site photos of the agency's assessments", ADMIN, ASSESSOR),
}


@dataclass(frozen=True)
class Job:
    """A long job (JobRun.job) as staff see it: its name, and the capability that starts it and shows its page."""

    label: object  # a lazy translation
    capability: str
    # Only its starter (and superusers) may see the run and its file: an export holds the list as that
    # user's roles show it.
    own: bool = False


# Jobs by their JobRun.job name; a name ending in "." covers every job it begins (the file imports, by importer).
JOBS: dict[str, Job] = {
    "contribution_run": Job(gettext_lazy("年度筹资批处理"), "enrollment.run_contributions"),
    "settlement": Job(gettext_lazy("月度结算"), "settlement.run"),
    "file_import.": Job(gettext_lazy("文件导入"), "core.import_errors"),
    "fund_disclosure": Job(gettext_lazy("基金收支公布(PDF)"), "fund.reports"),
    "list_export": Job(gettext_lazy("列表导出"), "core.jobs", own=True),
}


def job_declared(name: str) -> Job | None:
    return JOBS.get(name) or next(
        (job for prefix, job in JOBS.items() if prefix.endswith(".") and name.startswith(prefix)), None
    )


def can_see_job(user, name: str, started_by_id: int | None = None) -> bool:
    """A job's page is for who holds the job's capability (superusers: every job, also undeclared ones); an
    ``own`` job's page only for who started it."""
    job = job_declared(name)
    if job is None or getattr(user, "is_superuser", False):
        return bool(getattr(user, "is_superuser", False))
    if job.own and started_by_id != getattr(user, "pk", None):
        return False
    return can(user, "core.jobs") and can(user, job.capability)


def capability_governing(use: str) -> str | None:
    """The capability whose `uses` list an admin URL name or admin action ("app.model.action")."""
    return next((name for name, cap in CAPABILITIES.items() if use in cap.uses), None)


def capability(name: str) -> Capability:
    try:
        return CAPABILITIES[name]
    except KeyError:
        raise LookupError(f"unknown capability {name!r} (declare it in ltci.core.permissions)") from None


def staff_roles(name: str) -> tuple[str, ...]:
    """The staff roles holding an explicitly declared staff capability (sorted, for messages and queries)."""
    found = capability(name)
    if found.perm or not found.staff:
        raise LookupError(f"{name!r} is not declared with staff roles")
    return tuple(sorted(found.staff))


def _group_names(user) -> frozenset:
    names = getattr(user, "ltci_role_names", None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user.ltci_role_names = names  # per request: users are loaded for each request
    return names


def can(user, name: str, *, portal_role: str | None = None) -> bool:
    """True when the user (staff) or the portal role may use the capability."""
    found = capability(name)
    if found.portal:
        return portal_role in found.portal
    if portal_role is not None:
        return False
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return False
    if found.perm:
        return user.has_perm(found.perm)
    return user.is_superuser or bool(found.staff & _group_names(user))


def action_permission(name: str) -> str:
    """The admin action permission name of a capability ("settlement.run" -> "settlement_run")."""
    capability(name)
    return name.replace(".", "_")


def capability_of_action_permission(permission: str) -> str | None:
    """The capability an admin action permission names, or None for Django's view/add/change/delete."""
    return next((name for name in CAPABILITIES if action_permission(name) == permission), None)


def requires(name: str):
    """Decorator for a custom admin view method: PermissionDenied unless the user has the capability.

    The view carries `capability` so that the matrix test finds what each admin URL requires.
    """
    capability(name)

    def decorate(view):
        @wraps(view)
        def wrapper(model_admin, request, *args, **kwargs):
            if not can(request.user, name):
                raise PermissionDenied
            return view(model_admin, request, *args, **kwargs)

        wrapper.capability = name  # type: ignore[attr-defined]  # read by the permission matrix test
        return wrapper

    return decorate
