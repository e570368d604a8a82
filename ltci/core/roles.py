"""Staff roles (Django groups created by core migration 0002) and their permission checks."""
ENROLLMENT_CLERK = "参保登记员"
ASSESSMENT_COORDINATOR = "评估协调员"
BENEFIT_AUDITOR = "待遇审核员"
SETTLEMENT_OFFICER = "结算专员"
FUND_ACCOUNTANT = "基金会计"
SUPERVISOR = "主管"
ALL_ROLES = [ENROLLMENT_CLERK, ASSESSMENT_COORDINATOR, BENEFIT_AUDITOR, SETTLEMENT_OFFICER, FUND_ACCOUNTANT,
             SUPERVISOR]


def has_role(user, *roles: str) -> bool:
    """True for superusers and for staff in any of the given groups."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=roles).exists()
