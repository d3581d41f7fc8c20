"""The import contracts in pyproject.toml hold, so `make test` enforces them (CI runs them too).

Which package may import which is the architecture; ``lint-imports`` checks it against the
code's real import graph, function-level imports included.
"""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def test_import_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_integrations_module_is_either_core_or_an_ats_package():
    """A new top-level module of integrations/ (or a new ATS folder) must be named in the
    contracts, or the core-imports-no-ATS rule would silently not cover it."""
    by_id = contracts()
    ats = list(by_id["ats-independent"]["modules"])
    core = set(by_id["core-names-no-ats"]["source_modules"])
    assert by_id["core-names-no-ats"]["forbidden_modules"] == ats
    children = {
        f"integrations.{path.stem}"
        for path in (ROOT / "integrations").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    assert core.isdisjoint(ats)
    assert sorted(children - core - set(ats)) == [], "add them to the contracts"


def test_a_function_level_import_that_closes_a_cycle_breaks_the_contract(tmp_path):
    """Lazy imports count: what the no-cycles contract relies on, in the installed version."""
    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text("from .tasks import run\n")
    (package / "tasks.py").write_text(
        "def run():\n    from .services import queue  # dodges the cycle at import time\n"
    )
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_package = cyclic\n\n"
        "[importlinter:contract:no-cycles]\nname = No cycles\ntype = acyclic_siblings\n"
        "ancestors = cyclic\n"
    )
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "No cycles BROKEN" in result.stdout
