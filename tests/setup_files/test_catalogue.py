"""Every text of set-up (the package, the CLI commands, the import page) has its Chinese translation."""
from pathlib import Path

from babel.messages.extract import extract_from_dir

from core.i18n import merged_catalogue

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None}


def _texts(path: Path) -> set[str]:
    found = extract_from_dir(path, method_map=METHODS, keywords=KEYWORDS)
    return {message for _file, _line, message, _comments, _context in found if isinstance(message, str)}


def _template_texts() -> set[str]:
    found = extract_from_dir(ROOT / "api" / "templates", method_map=[("admin_import.html", "jinja2")],
                             keywords=KEYWORDS)
    return {message for _file, _line, message, _comments, _context in found if isinstance(message, str)}


def test_every_set_up_text_is_translated():
    catalogue = merged_catalogue("zh_CN")
    ours = _texts(ROOT / "setup_files") | _texts(ROOT / "api" / "imports") | _template_texts()
    ours |= {m for m in _texts_of_file(ROOT / "cli" / "set_up.py")}
    assert len(ours) > 90
    missing = sorted(t for t in ours if not (catalogue.get(t) and catalogue.get(t).string))
    assert missing == []


def _texts_of_file(path: Path) -> set[str]:
    from babel.messages.extract import extract_from_file

    return {message for _line, message, _comments, _context in
            extract_from_file("python", str(path), keywords=KEYWORDS) if isinstance(message, str)}
