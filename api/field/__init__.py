"""The technician's phone pages and field API."""
