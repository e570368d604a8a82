"""Settlement writes: records, the monthly run, state transitions, appeals, the fund ledger."""
