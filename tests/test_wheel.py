"""The package as pip installs it, not as the checkout runs it: the wheel carries the migrations and
the catalogues, `aftercare db upgrade` works from it, and its data folder is not inside site-packages."""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from core.settings import default_data_dir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    build = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                    "-w", str(build), str(ROOT)], check=True, capture_output=True, timeout=300)
    [built] = build.glob("aftercare-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The wheel unpacked into a folder of its own, which is how pip lays it out in site-packages."""
    site = tmp_path_factory.mktemp("site-packages")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


@pytest.fixture(scope="module")
def fresh_venv(wheel, tmp_path_factory) -> Path:
    """A new virtual environment with the wheel pip-installed into it. Its dependencies come from this
    environment's site-packages through a path file (the machine may have no package index); the
    checkout itself is not on its path, so every `aftercare` module imported is the wheel's."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    [site] = (venv / "lib").glob("python3*/site-packages")
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps",
                    "--no-index", "--quiet", str(wheel)], check=True, capture_output=True, timeout=300)
    return venv


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


def test_the_wheel_holds_the_street_map_library_with_its_licence_and_pictures(installed):
    leaflet = installed / "api" / "static" / "vendor" / "leaflet"
    for name in ("leaflet.js", "leaflet.css", "LICENSE", "images/marker-icon.png", "images/layers.png"):
        assert (leaflet / name).is_file(), name
    assert (installed / "api" / "static" / "street-map.js").is_file()


def test_the_wheel_holds_the_offline_worker_s_library_with_its_licence(installed):
    workbox = installed / "api" / "static" / "vendor" / "workbox"
    for name in ("workbox-sw.js", "workbox-core.prod.js", "workbox-routing.prod.js", "workbox-strategies.prod.js",
                 "workbox-expiration.prod.js", "LICENSE"):
        assert (workbox / name).is_file(), name
    assert (installed / "api" / "static" / "field-sw.js").is_file()


def test_an_installed_package_migrates_into_the_working_directory_s_var(installed, tmp_path):
    result = _run(installed, tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "var" / "aftercare.db").is_file()
    assert not (installed / "var").exists()


def test_a_wheel_installed_into_a_fresh_virtual_environment_migrates_and_loads_the_demo(fresh_venv, tmp_path):
    aftercare = fresh_venv / "bin" / "aftercare"
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LANG": "C"}
    imported = subprocess.run([str(fresh_venv / "bin" / "python"), "-c", "import core; print(core.__file__)"],
                              capture_output=True, text=True, check=True, env=environment, cwd=tmp_path)
    assert imported.stdout.startswith(str(fresh_venv)), imported.stdout
    for command in (["db", "upgrade"], ["demo", "load"]):
        result = subprocess.run([str(aftercare), *command], cwd=tmp_path, capture_output=True, text=True,
                                timeout=600, env=environment, check=False)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert (tmp_path / "var" / "aftercare.db").is_file()
    urls = subprocess.run([str(aftercare), "demo", "urls"], cwd=tmp_path, capture_output=True, text=True,
                          env=environment, check=True)
    assert "/r/" in urls.stdout


def test_a_checkout_keeps_its_data_beside_the_code(tmp_path):
    assert default_data_dir(ROOT) == ROOT / "var"
    assert default_data_dir(tmp_path) != tmp_path / "var"
