"""scripts/bench_import.py: the import and its two peers load the same appliances, in one table."""
from scripts import bench_import


def test_the_import_and_both_peers_load_the_same_assets_side_by_side(capsys):
    assert bench_import.main(["--sizes", "40", "--backends", "sqlite"]) == 0
    header, row = capsys.readouterr().out.strip().splitlines()
    assert "naive ORM s" in header and "bulk insert s" in header
    assert row.split()[:2] == ["sqlite", "40"] and len(row.split()) == 7


def test_an_unknown_peer_is_refused(capsys):
    try:
        bench_import.main(["--peers", "pandas"])
    except SystemExit as refused:
        assert refused.code == 2
    else:
        raise AssertionError("an unknown peer ran")
