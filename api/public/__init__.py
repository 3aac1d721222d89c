"""Consumer self-service (no sign-in): the QR report page, tracking, and their JSON API."""
