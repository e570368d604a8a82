"""Enrollment writes (STYLE: services). Split by topic: roster, payments, accounts, run."""
