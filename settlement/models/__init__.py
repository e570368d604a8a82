"""Settlement models (SPEC 7): service records and claims, runs and their results, the fund ledger."""

from .fund import DepositRelease, FundBudget, FundWarning, HandlingFee, LedgerEntry
from .payments import BankAccount, Payment, PaymentBatch
from .records import Claim, ClaimReminder, ExclusionCode, HeldReason, HoldDecision, RecordKind, ServiceRecord
from .runs import Appeal, Correction, Payout, RecordAudit, SettlementLine, SettlementRun, Statement

__all__ = [
    "Appeal",
    "BankAccount",
    "Claim",
    "ClaimReminder",
    "Correction",
    "DepositRelease",
    "ExclusionCode",
    "FundBudget",
    "FundWarning",
    "HandlingFee",
    "HeldReason",
    "HoldDecision",
    "LedgerEntry",
    "Payment",
    "PaymentBatch",
    "Payout",
    "RecordAudit",
    "RecordKind",
    "ServiceRecord",
    "SettlementLine",
    "SettlementRun",
    "Statement",
]
