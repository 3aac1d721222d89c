"""Administration of people and places: users, regions and technicians (JSON API and pages)."""
