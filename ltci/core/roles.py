"""Staff roles (Django groups created by core migration 0002) ; who holds which capability is declared in ltci.core.permissions."""

ENROLLMENT_CLERK = "参保登记员"
ASSESSMENT_COORDINATOR = "评估协调员"
BENEFIT_AUDITOR = "待遇审核员"
SETTLEMENT_OFFICER = "结算专员"
FUND_ACCOUNTANT = "基金会计"
SUPERVISOR = "主管"
ALL_ROLES = [
    ENROLLMENT_CLERK,
    ASSESSMENT_COORDINATOR,
    BENEFIT_AUDITOR,
    SETTLEMENT_OFFICER,
    FUND_ACCOUNTANT,
    SUPERVISOR,
]
