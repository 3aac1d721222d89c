"""Close the loop: surveys, follow-up tasks, SLA clocks, the service dashboard (pages and API)."""
