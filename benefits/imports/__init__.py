"""File imports of SPEC 11.3 (hospital stays), 11.7 (benefit decisions) and of work-injury and maternity
benefits (SPEC 5.1 condition 5)."""

from .decisions import import_benefit_decisions
from .hospital import import_hospital_stays
from .other_funds import import_other_fund_benefits

__all__ = ["import_benefit_decisions", "import_hospital_stays", "import_other_fund_benefits"]
