"""The agent's desk and job pages, and the staff jobs API."""
