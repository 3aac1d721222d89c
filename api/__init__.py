"""The web boundary: Flask app factory, JSON API (/api/v1), server-rendered pages."""
