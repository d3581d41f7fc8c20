"""The organization's candidate policy, with defaults for organizations that never set one."""

from .models import CandidatePolicy, Organization


def candidate_policy_for(organization: Organization) -> CandidatePolicy:
    """The stored policy, or an unsaved one holding the defaults (reading never writes)."""
    try:
        return organization.candidate_policy
    except CandidatePolicy.DoesNotExist:
        return CandidatePolicy(organization=organization)
