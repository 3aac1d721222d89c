"""scripts/bench_dashboard.py: the old and new dashboards built from one small history, side by side."""
from scripts import bench_dashboard


def test_the_old_and_new_dashboards_agree_in_one_table(capsys):
    assert bench_dashboard.main(["--jobs", "40", "--days", "30", "--repeat", "1"]) == 0
    header, row = capsys.readouterr().out.strip().splitlines()
    assert "old ms" in header and "new MiB" in header
    assert row.split()[:2] == ["sqlite", "40"] and row.split()[-1] == "yes"
