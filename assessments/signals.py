from django.dispatch import Signal

# Sent inside the transaction that changes an interview's status, with
# ``interview``, ``previous_status`` and ``at``. Integrations write their outbox rows here.
interview_status_changed = Signal()
