import pytest


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch):
    """Imported users' passwords are hashed cheaply here (the production hash takes a third of a second
    each, and these tests import the example world's seven users many times)."""
    from functools import partial

    from werkzeug.security import generate_password_hash

    monkeypatch.setattr("setup_files.writing.generate_password_hash",
                        partial(generate_password_hash, method="pbkdf2:sha256:1000"))
