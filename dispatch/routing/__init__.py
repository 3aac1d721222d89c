"""Pure routing core: plain dataclasses in, a typed result out; OR-Tools inside, no database."""
from .model import Break, InvalidProblem, PartDepot, Pickup, RoutingProblem, Technician, TimeWindow, Visit
from .result import Route, RoutingResult, Stop, Unassigned
from .solver import solve

__all__ = ["Break", "InvalidProblem", "PartDepot", "Pickup", "Route", "RoutingProblem", "RoutingResult", "Stop",
           "Technician", "TimeWindow", "Unassigned", "Visit", "solve"]
