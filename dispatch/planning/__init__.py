"""Putting jobs into technicians' days: live assignment, dispatcher moves, region re-optimisation."""
