"""The events the accounts app announces to the apps above it (the README lists every event).

A lower app never imports a higher one: when something that happens here must cause work there,
it is sent as one of these signals and the higher app receives it in its own `signals.py`.
"""

from django.dispatch import Signal

# A candidate's civil identity, postal address or phone changed (« Mon compte », or staff in
# admin). Sent inside the transaction that saved them, once the `ProfileChange` rows exist, so
# what a receiver writes commits or rolls back with the change.
# Arguments: `user`, `changes` (the saved ProfileChange rows).
# Received by exams (exams/situation_changes.py): after the lock, the rectorate is told.
situation_changed = Signal()

# FranceConnect certified the candidate's identity (candidates.services.account_certify_identity),
# inside the transaction that saved it. Argument: `user`.
# Received by documents: the identity piece may no longer be required, so what is missing is counted again.
identity_certified = Signal()
