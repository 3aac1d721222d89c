"""The installed `aftercare` command runs outside the checkout: every top-level package the code
imports is one pyproject.toml installs (a package missing there works in tests, which run from the
checkout, and fails in `make run`)."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_top_level_package_is_installed_by_pyproject():
    included = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    names = {pattern.rstrip("*") for pattern in included}
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests", "scripts", "migrations"}
    assert packages <= names, f"not installed by pyproject.toml: {sorted(packages - names)}"


def test_the_command_starts_from_another_folder(tmp_path):
    result = subprocess.run([sys.executable, "-c", "from cli.commands import main; main(['--help'])"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
                            env={"PATH": "/usr/bin:/bin", "LANG": "C"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Usage" in result.stdout
