"""Options of a solve: the keyword arguments of `solve()` as one frozen dataclass, read by the
strategies, the OR-Tools model and the SISR polish."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping, Sequence

from .model import Pickup

FirstSolution = Literal["auto", "parallel_cheapest_insertion", "savings", "local_cheapest_insertion",
                        "global_cheapest_arc", "path_cheapest_arc", "christofides", "sweep"]
Metaheuristic = Literal["auto", "guided_local_search", "simulated_annealing", "tabu_search",
                        "greedy_descent", "iterated_local_search"]


@dataclass(frozen=True)
class SolveOptions:
    time_limit: float
    cost: Literal["duration", "distance"] = "duration"
    vehicle_fixed_cost: int = 0
    lateness_cost: int = 1  # cost units per second of service start after the deadline
    first_solution: FirstSolution = "auto"
    metaheuristic: Metaheuristic = "auto"
    guided_local_search_lambda: float = 0.05
    neighbors_ratio: float = 1.0  # share of nearest nodes local-search operators consider
    close_nodes_lns: int = 20  # ruin-and-recreate of a visit and its n closest inside GLS (0 = off)
    minimize_vehicles: bool | None = None  # route-elimination phase; default: when fixed cost > 0
    decompose: bool | None = None  # split big problems by region; default: automatic
    initial_routes: Mapping[str, Sequence[str | Pickup]] | None = None  # technician id -> visit ids (+ Pickups)
    ils: Mapping[str, object] = field(default_factory=dict)  # extra configure_ils keyword arguments
    strategy: str = "auto"
    # strategy knobs: time shares, phases, extra ILS arguments for one phase, ...
    tuning: Mapping[str, float | str | Mapping[str, object]] = field(default_factory=dict)
    log_search: bool = False
