"""Settlement models (SPEC 7): service records and claims, runs and their results, the fund ledger."""

from .fund import DepositRelease, FundBudget, FundWarning, HandlingFee, LedgerEntry, ReserveAllocation
from .payments import BankAccount, Payment, PaymentBatch
from .records import (
    HELD_WAITING,
    Claim,
    ClaimReminder,
    ExclusionCode,
    HeldReason,
    HoldDecision,
    RecordKind,
    ServiceRecord,
    ServiceRecordKey,
)
from .runs import Appeal, Correction, Payout, RecordAudit, SettlementLine, SettlementRun, Statement

__all__ = [
    "HELD_WAITING",
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
    "ReserveAllocation",
    "HeldReason",
    "HoldDecision",
    "LedgerEntry",
    "Payment",
    "PaymentBatch",
    "Payout",
    "RecordAudit",
    "RecordKind",
    "ServiceRecord",
    "ServiceRecordKey",
    "SettlementLine",
    "SettlementRun",
    "Statement",
]
