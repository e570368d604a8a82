"""Signals enrollment sends to the apps above it (they depend on enrollment, never the reverse)."""

from django.dispatch import Signal

# Sent after a roster import has committed, with ``person_ids``: the persons whose death or coverage end
# the import recorded (benefits ends their decisions at once instead of waiting for the daily job).
coverage_ended = Signal()
