"""axe-core accessibility checks for browser tests (axe-playwright-python bundles axe.min.js,
so this runs offline).

    from tests.browser.axe import assert_accessible
    assert_accessible(page, "candidate test page")
"""

from axe_playwright_python.sync_playwright import Axe

BLOCKING = ("serious", "critical")
_axe = Axe()


def axe_violations(page, impacts=BLOCKING) -> list[dict]:
    """The page's axe violations of the given impacts (WCAG 2.x A/AA and best practices)."""
    results = _axe.run(page)
    return [v for v in results.response["violations"] if v.get("impact") in impacts]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '')}")
    return "\n".join(lines)


def assert_accessible(page, where: str = "") -> None:
    """Fail with a readable list when axe finds any serious or critical violation."""
    found = axe_violations(page)
    assert not found, f"axe found serious/critical violations on {where or page.url}:\n" + describe(
        found
    )
