"""The layout says what the kit is: subpackages by concern, imports only downward.

The import contract is import-linter's (``[tool.importlinter]`` in pyproject.toml); these
tests also keep the package list that ships in the wheel and the README's layout section true.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KIT = REPO / "kit"


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_import_contract_has_no_circle_and_no_upward_import():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--config", str(REPO / "pyproject.toml")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_contract_names_every_subpackage():
    contracts = _pyproject()["tool"]["importlinter"]["contracts"]
    named = " ".join(
        " ".join(c.get("layers", [])) + " ".join(c.get("source_modules", [])) for c in contracts
    )
    for package in sorted(p.parent.name for p in KIT.glob("*/__init__.py")):
        assert f"kit.{package}" in named, package


def test_every_package_ships_in_the_wheel():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in KIT.rglob("__init__.py")} | {
        "kit.serving.notebooks"
    }
    assert listed == found


def test_few_modules_are_left_flat():
    flat = sorted(p.stem for p in KIT.glob("*.py") if p.stem != "__init__")
    assert len(flat) <= 14, flat


def test_the_readme_layout_matches_the_tree():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    tree = section.split("```", 2)[1]
    for package in sorted(p.parent.name for p in KIT.glob("*/__init__.py")):
        assert re.search(rf"^  {package}/ ", tree, re.M), f"kit/{package}/ is not in the README"
    for module in sorted(p.name for p in KIT.glob("*.py") if p.stem != "__init__"):
        assert module in tree, f"kit/{module} is not in the README"
    for name in re.findall(r"^  ([a-z_]+)/ ", tree, re.M):
        assert (KIT / name / "__init__.py").exists(), f"the README names kit/{name}/, which is gone"
