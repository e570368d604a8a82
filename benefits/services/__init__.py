"""Writes of the benefits app (STYLE: services.py as a package)."""

from .admissions import admission_admit, admission_change_bed, admission_discharge, free_beds
from .decisions import (
    DecisionError,
    decision_change_form,
    decision_create,
    decision_end,
)
from .hospital import hospital_stay_record

__all__ = [
    "DecisionError",
    "admission_admit",
    "admission_change_bed",
    "admission_discharge",
    "decision_change_form",
    "decision_create",
    "decision_end",
    "free_beds",
    "hospital_stay_record",
]
