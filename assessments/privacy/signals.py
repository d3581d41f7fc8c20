"""The seam to data this package may not import (assessments never imports integrations).

Both are sent with ``candidate`` and ``interview_ids``; receivers hold their own data.
"""

from django.dispatch import Signal

# Inside the erasure or anonymization transaction, with ``mode`` ("erase" or "anonymize"),
# ``email`` (the candidate's, before it was replaced) and ``counts`` (a dict receivers add to).
candidate_data_removing = Signal()

# During an export: each receiver returns a dict of sections merged into the export JSON.
candidate_data_exporting = Signal()

# From the retention task, with ``now`` and ``counts``: purges of data held elsewhere (delivery
# bodies) run on their own schedule settings.
retention_purging = Signal()
