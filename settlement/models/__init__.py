"""Settlement models (SPEC 7): service records and claims, runs and their results, the fund ledger."""
from .fund import DepositRelease, FundWarning, HandlingFee, LedgerEntry
from .records import Claim, ExclusionCode, RecordKind, ServiceRecord
from .runs import Appeal, Payout, RecordAudit, SettlementLine, SettlementRun, Statement

__all__ = [
    "Appeal", "Claim", "DepositRelease", "ExclusionCode", "FundWarning", "HandlingFee", "LedgerEntry", "Payout",
    "RecordAudit", "RecordKind", "ServiceRecord", "SettlementLine", "SettlementRun", "Statement",
]
