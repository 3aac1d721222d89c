"""The dispatcher's board and dispatch API: a region's day, moves, plans, escalations."""
