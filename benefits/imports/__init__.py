"""File imports of SPEC 11.3 (hospital stays) and 11.7 (benefit decisions)."""
from .decisions import import_benefit_decisions
from .hospital import import_hospital_stays

__all__ = ["import_benefit_decisions", "import_hospital_stays"]
