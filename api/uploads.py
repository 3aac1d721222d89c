"""Request bodies larger than the app's limit (api.app.MAX_REQUEST_BYTES), allowed only on the routes
that take files, only for a multipart form, and only as large as those files need.

The input guard reads every form before any view runs, so a limit raised inside a view comes too late;
a blueprint's URL value preprocessors run before both."""
from __future__ import annotations

from flask import Blueprint, request

# Room for the form's text fields and the multipart framing around the files.
FORM_OVERHEAD_BYTES = 64 * 1024


def allow_uploads(blueprint: Blueprint, limits: dict[str, int]) -> None:
    """`limits`: endpoint -> the total size of the files it takes, in bytes."""

    @blueprint.url_value_preprocessor
    def _raise_the_body_limit(endpoint, values) -> None:
        if request.method == "POST" and endpoint in limits and request.mimetype == "multipart/form-data":
            request.max_content_length = limits[endpoint] + FORM_OVERHEAD_BYTES
