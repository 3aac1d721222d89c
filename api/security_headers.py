"""Security headers on every response: pages, the JSON API, error pages, files.

Pages may run only the scripts and styles served from /static (no inline script, no inline event
handler, no style attribute) and may not be framed by anyone. API answers load nothing at all. The
Swagger UI page is the one exception: its inline start-up script is allowed by its hash, and Swagger
UI's own inline styles and data: images are allowed there only. Where a street map's tile server is
configured, pages may also show images from its host (the tiles).
"""
from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response, request

from core.settings import Settings

PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
API_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
DOCS_POLICY = ("default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HSTS = "max-age=31536000; includeSubDomains"
API_PREFIX = "/api/"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _script_hashes(html: str) -> str:
    """CSP source expressions for the page's inline scripts, exactly as they were served."""
    return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
                    for script in _INLINE_SCRIPT.findall(html))


def page_policy(settings: Settings) -> str:
    tiles = settings.street_map
    return PAGE_POLICY if tiles is None else PAGE_POLICY.replace("img-src 'self'", f"img-src 'self' {tiles.image_source}")


def _policy(response: Response, docs_path: str, pages: str) -> str:
    if request.path == docs_path and response.mimetype == "text/html":
        return DOCS_POLICY.format(hashes=_script_hashes(response.get_data(as_text=True)))
    if request.path.startswith(API_PREFIX):
        return API_POLICY
    return pages


def register(app: Flask, settings: Settings) -> None:
    https_site = settings.public_base_url.startswith("https://")
    docs_path = f"{app.config['OPENAPI_URL_PREFIX']}/{app.config['OPENAPI_SWAGGER_UI_PATH']}"
    pages = page_policy(settings)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", _policy(response, docs_path, pages))
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        # Browsers ignore HSTS over plain HTTP; behind a proxy that ends TLS, the public URL tells.
        if request.is_secure or https_site:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
