"""Messages to customers: what staff see was sent for a job (API), and the customer's opt-out page."""
