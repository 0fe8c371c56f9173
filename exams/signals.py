"""The events the exams app announces to the apps above it (the README lists every event).

exams never imports documents: when a registration's answers change, which pieces it needs and
its confirmation PDF change too, and documents hears of it by this signal.
"""

from django.dispatch import Signal

# A registration's answers changed: a new version was saved (by its candidate, or by staff in
# admin). Sent inside the transaction that saved it, on the row read under its lock, so what a
# receiver writes (the count of missing pieces) commits or rolls back with the answers; a
# receiver queues slower work (a PDF) with `transaction.on_commit`.
# Arguments: `registration` (the saved row), `complete` (every step answered).
# Received by documents (documents/receivers.py): missing pieces counted again, and, once
# complete, the confirmation PDF of this version rendered after commit.
registration_changed = Signal()
