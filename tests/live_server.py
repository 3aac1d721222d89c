"""A real HTTP server for the app, in a background thread, for browser and concurrency tests."""
from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server


@contextmanager
def listening_socket() -> Iterator[socket.socket]:
    """A loopback socket already listening on a free port, for a test whose settings must name the
    server's address before the app is built (the links in messages point to it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield sock


def address_of(sock: socket.socket) -> str:
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


@contextmanager
def serve(app, *, sock: socket.socket | None = None):
    """Serves `app` with one thread per request, on `sock` (see `listening_socket`) or a free loopback
    port; yields the base URL."""
    if sock is None:
        server = make_server("127.0.0.1", 0, app, threaded=True)
    else:
        server = make_server("127.0.0.1", sock.getsockname()[1], app, threaded=True, fd=sock.fileno())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
