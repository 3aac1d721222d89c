"""Appointment windows at the web boundary: the customer's tracking page and the agent's job page, and
their JSON API (public by tracking token, staff by job number)."""
