"""Close the loop after a job: callbacks and surveys, follow-up tasks, the SLA watch, the service dashboard.

Importing the package subscribes it to the dispatch events it reacts to (care.subscriptions)."""
from care import quote_messages, subscriptions  # noqa: F401
