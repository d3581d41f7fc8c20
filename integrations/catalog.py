"""The test catalog as every ATS sees it: the calling organization's enabled tests, each
with the id the ATS stores, its name and description. Each plug-in maps an entry to its
wire format (Greenhouse's partner_test_*, Ashby's assessment_type_id, Workable's tests…)."""

from dataclasses import dataclass

from assessments import services
from assessments.models import Organization, Test


@dataclass(frozen=True)
class CatalogEntry:
    partner_test_id: str
    name: str
    description: str


def catalog_for(organization: Organization) -> list[CatalogEntry]:
    rows = services.tests_enabled_for(organization).values_list(
        "partner_test_id", "name", "description"
    )
    return [CatalogEntry(*row) for row in rows]


def catalog_test_get(*, organization: Organization, partner_test_id: str) -> Test | None:
    """The enabled test with that id, or None (unknown, disabled, or not this organization's)."""
    if not isinstance(partner_test_id, str) or not partner_test_id:
        return None
    return services.test_enabled_get(organization=organization, partner_test_id=partner_test_id)
