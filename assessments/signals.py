from django.dispatch import Signal

# Sent inside the transaction that changes an interview's status, with
# ``interview``, ``previous_status`` and ``at``. Integrations write their outbox rows here.
interview_status_changed = Signal()

# Sent inside the transaction that moves a live interview's deadline (``expires_at``) without
# changing its status (an extended invitation, extra minutes), with ``interview``,
# ``previous_expires_at`` and ``at``. An ATS that shows the deadline listens here.
interview_deadline_changed = Signal()
