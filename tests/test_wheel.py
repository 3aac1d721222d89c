"""The package as pip installs it, not as the checkout runs it: the wheel carries the migrations and
the catalogues, `aftercare db upgrade` works from it, and its data folder is not inside site-packages."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from core.settings import default_data_dir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel unpacked into a folder of its own, which is how pip lays it out in site-packages."""
    build = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                    "-w", str(build), str(ROOT)], check=True, capture_output=True, timeout=300)
    [wheel] = build.glob("aftercare-*.whl")
    site = tmp_path_factory.mktemp("site-packages")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def _run(site: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C",
                   "PYTHONPATH": str(site)}
    script = "import sys, core; assert core.__file__.startswith(sys.argv[1]), core.__file__; " \
             "from cli.commands import main; main(sys.argv[2:])"
    return subprocess.run([sys.executable, "-c", script, str(site), *args], cwd=home, capture_output=True,
                          text=True, timeout=300, check=False, env=environment)


def test_the_wheel_holds_the_migrations_and_the_catalogues(installed):
    assert (installed / "migrations" / "env.py").is_file()
    assert (installed / "migrations" / "script.py.mako").is_file()
    versions = sorted(path.name for path in (installed / "migrations" / "versions").glob("*.py"))
    assert versions == sorted(path.name for path in (ROOT / "migrations" / "versions").glob("*.py"))
    assert list((installed / "locales" / "zh_CN").glob("*.po"))


def test_an_installed_package_migrates_into_the_users_data_folder(installed, tmp_path):
    result = _run(installed, tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr[-3000:]
    data = tmp_path / ".local" / "share" / "aftercare"
    assert (data / "aftercare.db").is_file()
    assert not (installed / "var").exists()


def test_a_checkout_keeps_its_data_beside_the_code(tmp_path):
    assert default_data_dir(ROOT) == ROOT / "var"
    assert default_data_dir(tmp_path) != tmp_path / "var"
