"""Secrets: never the public development value, generated once in the data folder when not given,
and the same one for every process."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from care.notifiers import notifiers_from
from cli.commands import main
from core import secret_files
from core.settings import DEVELOPMENT_SECRET, PROJECT_ROOT, InvalidSetting, Settings

LONG_ENOUGH = "x" * 32


def test_a_missing_secret_is_generated_at_the_first_start_private_and_reused(tmp_path):
    first = Settings.from_env({"AFTERCARE_DATA_DIR": str(tmp_path)})
    for name in ("secret_key", "webhook_secret"):
        path = tmp_path / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_text().strip() == getattr(first, name)
    assert len(first.secret_key) >= 48 and first.secret_key != first.webhook_secret
    assert DEVELOPMENT_SECRET not in (first.secret_key, first.webhook_secret)
    again = Settings.from_env({"AFTERCARE_DATA_DIR": str(tmp_path)})
    assert (again.secret_key, again.webhook_secret) == (first.secret_key, first.webhook_secret)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key", "webhook_secret"]  # no temporary left


def test_processes_starting_at_once_all_get_the_one_secret(tmp_path):
    start_at = time.time() + 1.5  # every process waits for the same moment, then races to create the file
    # Making a secret is slowed down, so that every process finds no file yet and makes one of its own.
    code = ("import sys, time; from core import secret_files; from core.settings import Settings; "
            "make = secret_files.new_secret; secret_files.new_secret = lambda: (time.sleep(0.3), make())[1]; "
            "time.sleep(max(0, float(sys.argv[1]) - time.time())); "
            "print(Settings.from_env({'AFTERCARE_DATA_DIR': sys.argv[2]}).secret_key)")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    processes = [subprocess.Popen([sys.executable, "-c", code, str(start_at), str(tmp_path)], cwd=PROJECT_ROOT, env=env,
                                  stdout=subprocess.PIPE, text=True) for _ in range(6)]
    secrets = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert all(process.returncode == 0 for process in processes)
    assert secrets == {(tmp_path / "secret_key").read_text().strip()}


def test_the_loser_of_a_race_to_create_the_secret_takes_the_winners(tmp_path, monkeypatch):
    path = tmp_path / "secret_key"
    real = secret_files.new_secret

    def another_process_is_first() -> str:
        path.write_text("the-winners-secret-" + "w" * 32 + "\n")
        return real()

    monkeypatch.setattr(secret_files, "new_secret", another_process_is_first)
    assert secret_files.load_or_create(path) == "the-winners-secret-" + "w" * 32
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


@pytest.mark.parametrize("variable", ["AFTERCARE_SECRET_KEY", "AFTERCARE_WEBHOOK_SECRET"])
@pytest.mark.parametrize("value, reason", [(DEVELOPMENT_SECRET, "public development value"),
                                           ("short-but-not-empty", "at least 32")])
def test_the_public_development_value_or_a_short_secret_stops_start_up(tmp_path, variable, value, reason):
    with pytest.raises(InvalidSetting) as refused:
        Settings.from_env({"AFTERCARE_DATA_DIR": str(tmp_path), variable: value})
    assert variable in str(refused.value) and reason in str(refused.value)


def test_a_secret_given_in_the_environment_is_used_and_nothing_is_written(tmp_path):
    settings = Settings.from_env({"AFTERCARE_DATA_DIR": str(tmp_path), "AFTERCARE_SECRET_KEY": LONG_ENOUGH,
                                  "AFTERCARE_WEBHOOK_SECRET": "y" * 40})
    assert (settings.secret_key, settings.webhook_secret) == (LONG_ENOUGH, "y" * 40)
    assert list(tmp_path.iterdir()) == []


def test_a_bad_secret_in_the_data_folder_stops_start_up(tmp_path):
    (tmp_path / "secret_key").write_text(DEVELOPMENT_SECRET + "\n")
    with pytest.raises(InvalidSetting, match="public development value"):
        Settings.from_env({"AFTERCARE_DATA_DIR": str(tmp_path)})


def test_settings_built_in_code_have_no_secret_unless_given_one(tmp_path):
    from api.app import create_app

    assert Settings().secret_key == "" and Settings().webhook_secret == ""
    with pytest.raises(InvalidSetting, match="public development value"):
        Settings(secret_key=DEVELOPMENT_SECRET)
    with pytest.raises(InvalidSetting, match="at least 32"):
        Settings(webhook_secret="test-secret")
    with pytest.raises(InvalidSetting, match="No secret_key is configured"):
        create_app(Settings(database_url=f"sqlite:///{tmp_path / 'aftercare.db'}"))
    with pytest.raises(InvalidSetting, match="No webhook_secret is configured"):
        notifiers_from(Settings(webhook_url="http://gateway.test/hook"))


def test_the_command_refuses_to_start_with_the_public_secret_and_says_why(tmp_path):
    result = CliRunner().invoke(main, ["db", "--help"], env={"AFTERCARE_DATA_DIR": str(tmp_path),
                                                             "AFTERCARE_SECRET_KEY": DEVELOPMENT_SECRET})
    assert result.exit_code == 1
    assert "AFTERCARE_SECRET_KEY is the public development value" in result.output
    assert "Traceback" not in result.output


def test_the_data_folder_holds_the_database_the_uploads_and_the_secrets_by_default(tmp_path):
    assert Settings().data_dir == PROJECT_ROOT / "var"
    settings = Settings.from_env({"AFTERCARE_DATA_DIR": str(tmp_path)})
    assert settings.data_dir == tmp_path
    assert settings.database_url == f"sqlite:///{tmp_path / 'aftercare.db'}"
    assert settings.upload_dir == tmp_path / "uploads"
    elsewhere = Settings.from_env({"AFTERCARE_DATA_DIR": str(tmp_path), "AFTERCARE_UPLOAD_DIR": str(tmp_path / "photos"),
                                   "AFTERCARE_DATABASE_URL": "postgresql+psycopg://db.test/aftercare"})
    assert elsewhere.upload_dir == tmp_path / "photos"
    assert elsewhere.database_url == "postgresql+psycopg://db.test/aftercare"


def test_quiet_hours_and_the_visit_change_threshold_are_read_and_a_wrong_value_stops_start_up(tmp_path):
    base = {"AFTERCARE_DATA_DIR": str(tmp_path)}
    settings = Settings.from_env({**base, "AFTERCARE_QUIET_HOURS": "22:00-07:30", "AFTERCARE_VISIT_CHANGE_MINUTES": "45"})
    assert (settings.quiet_hours, settings.visit_change_minutes) == ("22:00-07:30", 45)
    assert (Settings().quiet_hours, Settings().visit_change_minutes) == ("21:00-08:00", 30)
    for variable, value in (("AFTERCARE_QUIET_HOURS", "late"), ("AFTERCARE_QUIET_HOURS", "25:00-08:00"),
                            ("AFTERCARE_VISIT_CHANGE_MINUTES", "soon"), ("AFTERCARE_VISIT_CHANGE_MINUTES", "0")):
        with pytest.raises(InvalidSetting):
            Settings.from_env({**base, variable: value})


def test_the_appointment_window_length_is_read_and_a_wrong_value_stops_start_up(tmp_path):
    base = {"AFTERCARE_DATA_DIR": str(tmp_path)}
    assert Settings().appointment_window_minutes == 120
    assert Settings.from_env({**base, "AFTERCARE_APPOINTMENT_WINDOW_MINUTES": "180"}).appointment_window_minutes == 180
    for value in ("two hours", "0", "10", "721", str(2 ** 40)):
        with pytest.raises(InvalidSetting):
            Settings.from_env({**base, "AFTERCARE_APPOINTMENT_WINDOW_MINUTES": value})
