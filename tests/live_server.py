"""A real HTTP server for the app, in a background thread, for browser and concurrency tests."""
from __future__ import annotations

import threading
from contextlib import contextmanager

from werkzeug.serving import make_server


@contextmanager
def serve(app):
    """Serves `app` on a free loopback port with one thread per request; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
