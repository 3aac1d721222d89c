"""The OR-Tools routing model over a subset of technicians and visits (`OrToolsModel`), its search
parameters and `configure_ils` (ruin-and-recreate). Everything crossing into OR-Tools is an integer
(seconds, metres, cost units). `solver.solve` is the entry point; `strategies` builds and runs models.

Parts (only modelled when some visit needs parts, so other problems build exactly the same model):
a visit needing parts has alternatives in one disjunction (at most one is served): its node for
technicians whose van holds every part, and for each of the (at most `MAX_PICKUP_DEPOTS`) depots
holding them a copy paired with a pickup node at that depot (pickup-and-delivery: same vehicle,
pickup first, both or neither; the pickup starts no earlier than the parts are there).
"""
from __future__ import annotations

import time
from typing import Mapping, Sequence

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

from .candidates import PickupAt, pickup_depots
from .model import RoutingProblem, Technician, scaled_service
from .options import SolveOptions

_FIRST = routing_enums_pb2.FirstSolutionStrategy
_TRUE = optional_boolean_pb2.BOOL_TRUE
_META = routing_enums_pb2.LocalSearchMetaheuristic

_SEARCH_STATUS = routing_enums_pb2.RoutingSearchStatus
# routing.status() after a search that returned a solution; ILS leaves it NOT_SOLVED.
_STATUS = {
    _SEARCH_STATUS.ROUTING_NOT_SOLVED: "feasible",
    _SEARCH_STATUS.ROUTING_SUCCESS: "feasible",
    _SEARCH_STATUS.ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED: "feasible",
    _SEARCH_STATUS.ROUTING_FAIL: "no_solution",
    _SEARCH_STATUS.ROUTING_FAIL_TIMEOUT: "no_solution",
    _SEARCH_STATUS.ROUTING_INVALID: "invalid",
    _SEARCH_STATUS.ROUTING_INFEASIBLE: "no_solution",
    _SEARCH_STATUS.ROUTING_OPTIMAL: "optimal",
}


def _service_groups(techs: Sequence[Technician]) -> list[int]:
    """Group technicians whose skill levels never disagree, so one transit matrix (travel +
    level-scaled service) serves the whole group; returns the group of each technician."""
    groups: list[dict[str, int]] = []
    out = []
    for t in techs:
        for g, levels in enumerate(groups):
            if all(levels.get(s, lvl) == lvl for s, lvl in t.skills.items()):
                levels.update(t.skills)
                out.append(g)
                break
        else:
            groups.append(dict(t.skills))
            out.append(len(groups) - 1)
    return out


class OrToolsModel:
    """One OR-Tools routing model over `tech_idx` x `visit_idx` of the problem."""

    def __init__(self, problem: RoutingProblem, tech_idx: Sequence[int], visit_idx: Sequence[int],
                 candidates: Mapping[int, Sequence[int]], opts: SolveOptions):
        self.problem = problem
        self.opts = opts
        self.tech_idx = list(tech_idx)
        self.visit_idx = list(visit_idx)
        self.techs = [problem.technicians[k] for k in self.tech_idx]
        self.visits = [problem.visits[i] for i in self.visit_idx]
        m, nv = len(self.visits), len(self.techs)
        local_vehicle = {k: j for j, k in enumerate(self.tech_idx)}
        allowed_of = [sorted(local_vehicle[k] for k in candidates[self.visit_idx[i]] if k in local_vehicle)
                      for i in range(m)]

        # Nodes: visits first, then one node per depot location, then one "open end" node.
        depot_locs = sorted({t.start_location for t in self.techs}
                            | {t.end_location for t in self.techs if t.end_location is not None})
        depot_node = {loc: m + j for j, loc in enumerate(depot_locs)}
        has_open = any(t.end_location is None for t in self.techs)
        open_node = m + len(depot_locs)
        n_nodes = open_node + (1 if has_open else 0)
        extra_loc = self._add_part_nodes(allowed_of, n_nodes)
        n_nodes += len(extra_loc)
        node_loc = np.array([v.location for v in self.visits] + depot_locs + ([0] if has_open else []) + extra_loc,
                            dtype=np.int64)
        travel = problem.durations[np.ix_(node_loc, node_loc)].copy()
        if opts.cost == "distance":
            if problem.distances is None:
                raise ValueError('cost="distance" needs a distance matrix')
            cost = problem.distances[np.ix_(node_loc, node_loc)].copy()
        else:
            cost = travel.copy()
        if has_open:
            travel[:, open_node] = travel[open_node, :] = 0
            cost[:, open_node] = cost[open_node, :] = 0
        starts = [depot_node[t.start_location] for t in self.techs]
        ends = [depot_node[t.end_location] if t.end_location is not None else open_node for t in self.techs]
        self.manager = manager = pywrapcp.RoutingIndexManager(int(n_nodes), nv, starts, ends)
        self.routing = routing = pywrapcp.RoutingModel(manager)

        cost_cb = routing.RegisterTransitMatrix(cost.tolist())
        routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
        if opts.vehicle_fixed_cost:
            routing.SetFixedCostOfAllVehicles(int(opts.vehicle_fixed_cost))

        # Time: one transit matrix per group of technicians that agree on skill levels.
        group_of = _service_groups(self.techs)
        n_groups = max(group_of) + 1
        self.service = np.zeros((n_groups, n_nodes), dtype=np.int64)
        group_level: list[dict[str, int]] = [{} for _ in range(n_groups)]
        for t, g in zip(self.techs, group_of):
            group_level[g].update(t.skills)
        for g in range(n_groups):
            for i, v in enumerate(self.visits):
                self.service[g, i] = scaled_service(v.service, group_level[g].get(v.required_skill, 2)
                                                    if v.required_skill is not None else 2)
                for node in self.visit_nodes[i][1:]:
                    self.service[g, node] = self.service[g, i]
            for node, (_, k) in self.pickup_of.items():
                self.service[g, node] = problem.depots[k].pickup_service
        time_cbs = [routing.RegisterTransitMatrix((travel + self.service[g][:, None]).tolist())
                    for g in range(n_groups)]
        horizon_lo = min(t.shift.start for t in self.techs)
        horizon_hi = max(t.shift.end for t in self.techs)
        pinned_chains = self._pinned_chains(local_vehicle)
        # Committed work may overrun the shift: stretch the end so the model stays feasible.
        end_bound = {}
        for j, chain in pinned_chains.items():
            t = self.techs[j]
            finish = t.shift.start
            prev = starts[j]
            for node in chain:
                finish += int(travel[prev, node]) + int(self.service[group_of[j], node])
                prev = node
            finish += int(travel[prev, ends[j]]) + sum(b.duration for b in t.breaks)
            end_bound[j] = max(t.shift.end, finish)
            horizon_hi = max(horizon_hi, end_bound[j])
        horizon = int(horizon_hi)
        routing.AddDimensionWithVehicleTransits([time_cbs[g] for g in group_of], horizon, horizon, False, "time")
        self.time = time_dim = routing.GetDimensionOrDie("time")
        for j, t in enumerate(self.techs):
            time_dim.CumulVar(routing.Start(j)).SetRange(int(t.shift.start), int(end_bound.get(j, t.shift.end)))
            time_dim.CumulVar(routing.End(j)).SetRange(int(t.shift.start), int(end_bound.get(j, t.shift.end)))
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(j)))
            routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(j)))

        # Capacity-like dimensions only when the data uses them.
        if any(v.demand for v in self.visits):
            demand = [int(self.visits[i].demand) if i >= 0 else 0 for i in self.node_visit]
            cb = routing.RegisterUnaryTransitVector(demand)
            caps = [int(t.capacity) if t.capacity is not None else sum(v.demand for v in self.visits)
                    for t in self.techs]
            routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, "load")
        if any(t.max_visits is not None for t in self.techs):
            ones = [1 if i >= 0 else 0 for i in self.node_visit]
            cb = routing.RegisterUnaryTransitVector(ones)
            caps = [int(t.max_visits) if t.max_visits is not None else m for t in self.techs]
            routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, "visits")

        # Visits: windows, earliest start, soft deadline, allowed technicians, drop penalty.
        # Dropping a visit must cost more than any plan that serves it: more than every vehicle's
        # fixed cost, every arc and the worst lateness together.
        max_cost = int(cost.max()) if cost.size else 0
        self.unit_penalty = nv * int(opts.vehicle_fixed_cost) + (m + len(self.pickup_of) + nv) * max_cost + \
            int(opts.lateness_cost) * max(1, horizon - horizon_lo) * max(1, sum(v.deadline is not None for v in self.visits)) + 1
        relaxed = {i for chain in pinned_chains.values() for i in chain}
        for i, v in enumerate(self.visits):
            indices = [manager.NodeToIndex(node) for node in self.visit_nodes[i]]
            for node, index in zip(self.visit_nodes[i], indices):
                cumul = time_dim.CumulVar(index)
                if i not in relaxed:
                    bounds = v.start_bounds()
                    lo, hi = max(bounds[0][0], horizon_lo), min(bounds[-1][1], horizon)
                    cumul.SetRange(int(lo), int(hi))
                    for (a1, b1), (a2, b2) in zip(bounds, bounds[1:]):
                        if b1 + 1 <= a2 - 1:
                            cumul.RemoveInterval(int(b1 + 1), int(a2 - 1))
                if v.deadline is not None and opts.lateness_cost > 0:
                    time_dim.SetCumulVarSoftUpperBound(index, int(v.deadline), int(opts.lateness_cost))
                allowed = self.node_allowed.get(node, allowed_of[i])
                if len(allowed) < nv:
                    routing.VehicleVar(index).SetValues([-1] + allowed)
            weight = 1000 if v.pinned_technician is not None else 1 + v.priority
            routing.AddDisjunction(indices, self.unit_penalty * weight)
        self._constrain_pickups(horizon_lo, horizon)

        # Breaks: fixed-duration intervals that may not overlap any service.
        solver = routing.solver()
        self.break_vars: dict[int, list] = {}
        for j, t in enumerate(self.techs):
            if not t.breaks:
                continue
            intervals = [solver.FixedDurationIntervalVar(int(b.window.start), int(b.latest_start), int(b.duration),
                                                         False, f"break_{j}_{n}") for n, b in enumerate(t.breaks)]
            visit_transit = [0] * routing.Size()
            svc = self.service[group_of[j]]
            for index in range(routing.Size()):
                # Service (visits, pickups) may not overlap a break; depots and the open end have none.
                visit_transit[index] = int(svc[manager.IndexToNode(index)])
            time_dim.SetBreakIntervalsOfVehicle(intervals, j, visit_transit)
            self.break_vars[j] = intervals

        self.pinned_chains = pinned_chains
        for j, chain in pinned_chains.items():
            prev = routing.Start(j)
            for node in chain:
                index = manager.NodeToIndex(node)
                routing.NextVar(prev).SetValue(index)
                prev = index

    def _add_part_nodes(self, allowed_of: Sequence[Sequence[int]], first_node: int) -> list[int]:
        """Alternatives for visits needing parts (see the module docstring). Fills `visit_nodes`
        (local visit -> its nodes, its own first), `node_allowed` (node -> allowed local vehicles,
        when not the visit's), `pickup_of` (pickup node -> (paired visit node, depot index)) and
        `node_visit` (node -> local visit, -1 for depots, the open end and pickups); returns the
        locations of the added nodes, numbered from `first_node`."""
        m = len(self.visits)
        self.visit_nodes: list[list[int]] = [[i] for i in range(m)]
        self.node_allowed: dict[int, list[int]] = {}
        self.pickup_of: dict[int, tuple[int, int]] = {}
        self.pickup_for: dict[int, tuple[int, int]] = {}  # visit node -> (its pickup node, depot index)
        node_visit = list(range(m)) + [-1] * (first_node - m)
        extra_loc: list[int] = []
        latest = max((t.shift.end for t in self.techs), default=0)
        for i, v in enumerate(self.visits):
            if not v.needs_parts or v.pinned_sequence is not None:
                continue  # committed (pinned in sequence) work: its parts are on their way already
            holders = [j for j in allowed_of[i] if self.techs[j].holds_parts(v)]
            others = [j for j in allowed_of[i] if j not in holders]
            alternatives: list[tuple[int | None, list[int]]] = [(None, holders)] if holders else []
            if others:
                alternatives += [(k, others) for k in pickup_depots(self.problem, v)
                                 if self.problem.depots[k].available_from(v.needs_parts) <= latest]
            if not alternatives:
                continue  # nobody in this model can serve it: the visit node stays unservable
            for n, (depot, allowed) in enumerate(alternatives):
                if n == 0:
                    node = i
                else:
                    node = first_node + len(extra_loc)
                    extra_loc.append(v.location)
                    node_visit.append(i)
                    self.visit_nodes[i].append(node)
                self.node_allowed[node] = allowed
                if depot is not None:
                    pickup = first_node + len(extra_loc)
                    extra_loc.append(self.problem.depots[depot].location)
                    node_visit.append(-1)
                    self.pickup_of[pickup] = (node, depot)
                    self.pickup_for[node] = (pickup, depot)
        self.node_visit = node_visit
        return extra_loc

    def _constrain_pickups(self, horizon_lo: int, horizon: int) -> None:
        """Each pickup: optional at no cost, but performed exactly when its paired visit node is,
        by the same technician, before it, and not before the parts are at the depot."""
        routing, manager, solver = self.routing, self.manager, self.routing.solver()
        nv = len(self.techs)
        for node, (visit_node, k) in self.pickup_of.items():
            pickup, delivery = manager.NodeToIndex(node), manager.NodeToIndex(visit_node)
            visit = self.visits[self.node_visit[visit_node]]
            available = self.problem.depots[k].available_from(visit.needs_parts)
            self.time.CumulVar(pickup).SetRange(int(max(available, horizon_lo)), int(horizon))
            allowed = self.node_allowed[visit_node]
            if len(allowed) < nv:
                routing.VehicleVar(pickup).SetValues([-1] + allowed)
            routing.AddDisjunction([pickup], 0)
            routing.AddPickupAndDelivery(pickup, delivery)
            solver.Add(routing.ActiveVar(pickup) == routing.ActiveVar(delivery))
            solver.Add(routing.VehicleVar(pickup) == routing.VehicleVar(delivery))
            solver.Add(self.time.CumulVar(pickup) <= self.time.CumulVar(delivery))

    def global_item(self, node: int) -> int | PickupAt:
        """A node of this model as problem indices: the visit (for any of its copies) or a pickup."""
        if node in self.pickup_of:
            visit_node, depot = self.pickup_of[node]
            return PickupAt(self.visit_idx[self.node_visit[visit_node]], depot)
        return self.visit_idx[self.node_visit[node]]

    def local_routes(self, routes: Mapping[int, Sequence[int | PickupAt]]) -> dict[int, list[int]]:
        """Routes of problem indices (technician index -> visits and pickups) as this model's nodes,
        e.g. for a warm start. A visit needing parts takes its van node when the technician may
        serve it directly, else the copy paired with the route's pickup for it (kept in place) or,
        when the route has none, its first depot's pickup at the front of the route (one trip to
        the depot for everything is the usual best, and always before the visit)."""
        vpos = {k: j for j, k in enumerate(self.tech_idx)}
        npos = {i: n for n, i in enumerate(self.visit_idx)}
        out: dict[int, list[int]] = {}
        for k, seq in routes.items():
            if k not in vpos:
                continue
            j = vpos[k]
            nodes: list[int | PickupAt] = []
            front = 0  # pickups added at the front so far
            for item in seq:
                if isinstance(item, PickupAt):
                    nodes.append(item)  # a placeholder until its visit shows which node it becomes
                    continue
                if item not in npos:
                    continue
                i = npos[item]
                if i not in self.node_allowed:  # no parts involved
                    nodes.append(i)
                    continue
                usable = [n for n in self.visit_nodes[i] if j in self.node_allowed[n]]
                direct = [n for n in usable if n not in self.pickup_for]
                if direct:
                    nodes.append(direct[0])
                    continue
                planned = {p.depot: p for p in nodes if isinstance(p, PickupAt) and p.visit == item}
                chosen = next((n for n in usable if self.pickup_for[n][1] in planned), usable[0] if usable else None)
                if chosen is None:
                    continue  # this technician cannot serve it in this model
                pickup, depot = self.pickup_for[chosen]
                if depot in planned:
                    nodes[nodes.index(planned[depot])] = pickup
                else:
                    nodes.insert(front, pickup)
                    front += 1
                nodes.append(chosen)
            out[j] = [n for n in nodes if not isinstance(n, PickupAt)]
        return out

    def _pinned_chains(self, local_vehicle: Mapping[int, int]) -> dict[int, list[int]]:
        chains: dict[int, list[tuple[int, int]]] = {}
        tech_pos = {t.id: j for j, t in enumerate(self.techs)}
        for i, v in enumerate(self.visits):
            if v.pinned_sequence is not None and v.pinned_technician in tech_pos:
                chains.setdefault(tech_pos[v.pinned_technician], []).append((v.pinned_sequence, i))
        return {j: [i for _, i in sorted(items)] for j, items in chains.items()}

    # ---------------------------------------------------------------------------------------

    def search_parameters(self, time_limit: float, *, first_solution: str | None = None,
                          metaheuristic: str | None = None):
        opts = self.opts
        params = pywrapcp.DefaultRoutingSearchParameters()
        fs = first_solution or opts.first_solution
        if fs == "auto":
            fs = "parallel_cheapest_insertion"
        params.first_solution_strategy = getattr(_FIRST, fs.upper())
        mh = metaheuristic or opts.metaheuristic
        if mh == "auto" or (mh == "iterated_local_search" and self.break_vars):
            # OR-Tools 9.15's ILS aborts the process (a fatal CHECK on unbound interval starts)
            # when the model has break intervals: guided local search instead.
            mh = "guided_local_search"
        if mh == "iterated_local_search":
            configure_ils(params, **opts.ils)
        else:
            params.local_search_metaheuristic = getattr(_META, mh.upper())
        params.guided_local_search_lambda_coefficient = opts.guided_local_search_lambda
        if opts.close_nodes_lns and mh != "iterated_local_search":
            # Small ruin-and-recreate moves inside guided local search: they get it out of the
            # local optima plain arc moves leave it in (e.g. two clusters mixed on Solomon C1).
            ops = params.local_search_operators
            ops.use_global_cheapest_insertion_close_nodes_lns = _TRUE
            ops.use_local_cheapest_insertion_close_nodes_lns = _TRUE
            params.heuristic_close_nodes_lns_num_nodes = int(opts.close_nodes_lns)
        if opts.neighbors_ratio < 1.0:
            params.ls_operator_neighbors_ratio = opts.neighbors_ratio
            params.ls_operator_min_neighbors = 10
        params.log_search = opts.log_search
        params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
        return params

    def run(self, params, initial: Mapping[int, Sequence[int]] | None = None, *, stop_when_all_served: bool = False,
            deadline: float | None = None):
        """Search; `initial` maps local vehicle -> visit nodes. Returns the assignment or None.
        With `deadline` (time.monotonic()), the search limit is what is left once the model is
        closed and the warm start read, so model set-up never makes the solve overrun."""
        routing = self.routing
        routing.CloseModelWithParameters(params)
        if stop_when_all_served:
            threshold = self.unit_penalty
            cost_var = routing.CostVar()
            solver = routing.solver()

            def _stop() -> None:
                if cost_var.Value() < threshold:
                    solver.FinishCurrentSearch()
            routing.AddAtSolutionCallback(_stop)
        start = self.read_routes(initial) if initial else None
        self.initial_objective = start.ObjectiveValue() if start is not None else None
        if deadline is not None:
            params.time_limit.FromMilliseconds(max(1, int((deadline - time.monotonic()) * 1000)))
        if params.use_iterated_local_search:
            if start is not None:
                # ILS has no warm-start entry point, but lock chains seed its first solution
                # (they are not kept as constraints: ruin-and-recreate moves them freely).
                routing.ApplyLocksToAllVehicles(self._locks(initial), False)
            solution = routing.SolveWithIteratedLocalSearch(params)
        elif start is not None:
            solution = routing.SolveFromAssignmentWithParameters(start, params)
        else:
            solution = routing.SolveWithParameters(params)
        return solution

    def _locks(self, routes: Mapping[int, Sequence[int]]) -> list[list[int]]:
        manager = self.manager
        full = []
        for j in range(len(self.techs)):
            chain = list(self.pinned_chains.get(j, []))
            rest = [n for n in routes.get(j, []) if n not in chain]
            full.append([manager.NodeToIndex(n) for n in chain + rest])
        return full

    def read_routes(self, routes: Mapping[int, Sequence[int]]):
        return self.routing.ReadAssignmentFromRoutes(self._locks(routes), True)

    def status(self, solution) -> str:
        if solution is None:
            status = _STATUS.get(self.routing.status(), "no_solution")
            return "no_solution" if status in ("feasible", "optimal") else status
        status = _STATUS.get(self.routing.status(), "feasible")
        return "feasible" if status == "no_solution" else status

    def routes(self, solution) -> dict[int, tuple[list[int], list[int]]]:
        """local vehicle -> (visit nodes in order, break gap per break)."""
        routing, manager = self.routing, self.manager
        out = {}
        for j in range(len(self.techs)):
            index = routing.Start(j)
            nodes, cumuls = [], []
            index = solution.Value(routing.NextVar(index))
            while not routing.IsEnd(index):
                nodes.append(manager.IndexToNode(index))
                cumuls.append(solution.Value(self.time.CumulVar(index)))
                index = solution.Value(routing.NextVar(index))
            gaps = []
            for iv in self.break_vars.get(j, []):
                bs = solution.StartValue(iv)
                gaps.append(sum(1 for c in cumuls if c < bs))
            out[j] = (nodes, gaps)
        return out


def configure_ils(params, *, avg_removed: int = 10, max_sequence: int = 10, improve: bool = False,
                  temperature: tuple[float, float] | None = None, insertion_order: Sequence[str] = ()) -> None:
    """Iterated local search with SISR ruin-and-recreate (Christiaens & Vanden Berghe 2020):
    remove a few strings of nearby visits, reinsert them greedily, keep the result when better
    (or by simulated annealing when `temperature` = (initial, final) in cost units).
    `insertion_order` names OR-Tools' sorting properties for the reinsertion, e.g. ["random"]
    (SISR reinserts in random order; unset, OR-Tools' default order is the same every time)."""
    from ortools.constraint_solver import routing_ils_pb2 as ils_pb2

    params.use_iterated_local_search = True
    params.local_search_metaheuristic = _META.GREEDY_DESCENT
    ils = params.iterated_local_search_parameters
    ils.perturbation_strategy = ils_pb2.PerturbationStrategy.RUIN_AND_RECREATE
    rr = ils.ruin_recreate_parameters
    del rr.ruin_strategies[:]
    sisr = rr.ruin_strategies.add().sisr
    sisr.max_removed_sequence_size = max_sequence
    sisr.avg_num_removed_visits = avg_removed
    sisr.bypass_factor = 0.01
    rr.recreate_strategy.heuristic = _FIRST.LOCAL_CHEAPEST_INSERTION
    if insertion_order:
        from ortools.constraint_solver import routing_heuristic_parameters_pb2 as heur_pb2

        lci = rr.recreate_strategy.parameters.local_cheapest_insertion
        prop = heur_pb2.LocalCheapestInsertionParameters.InsertionSortingProperty
        lci.insertion_sorting_properties.extend(prop.Value(f"SORTING_PROPERTY_{p.upper()}") for p in insertion_order)
    ils.improve_perturbed_solution = improve
    if temperature is None:
        ils.reference_solution_acceptance_strategy.greedy_descent.SetInParent()
    else:
        sa = ils.reference_solution_acceptance_strategy.simulated_annealing
        sa.cooling_schedule_strategy = ils_pb2.CoolingScheduleStrategy.EXPONENTIAL
        sa.initial_temperature, sa.final_temperature = temperature
    ils.best_solution_acceptance_strategy.greedy_descent.SetInParent()
