"""Technician field work: status updates sent from phones (applied once), positions, photos."""
