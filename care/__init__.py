"""Close the loop after a job: callbacks and surveys, follow-up tasks, the SLA watch, the service dashboard."""
