"""Shared ground for every Aftercare package: settings, clock, database base and session."""
