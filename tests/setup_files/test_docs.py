"""docs/import.md documents every column of every set-up file."""
from pathlib import Path

from setup_files.kinds import KINDS

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text(encoding="utf-8")


def test_every_file_and_column_is_documented():
    for kind in KINDS:
        section = DOCS.split(f"### `{kind.name}.csv`", 1)[1].split("### ", 1)[0]
        missing = [c.name for c in kind.columns if f"| `{c.name}` |" not in section]
        assert missing == [], f"{kind.name}.csv: {missing}"
