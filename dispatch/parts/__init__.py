"""Parts for jobs: reservations, emergency sourcing, pickups for routing, and the warehouse desk.

Importing the package subscribes it to the job events it reacts to (dispatch.parts.subscriptions)."""
from dispatch.parts import subscriptions  # noqa: F401
