"""Panel assignment (REVIEW.md §2, example A1): R reviewers per bid, at most L bids per expert.

Maximises total affinity (the matching engine's expert–bid score, 0–1) over conflict-free pairs with a
small min-cost max-flow: source → bid (capacity R) → expert (capacity 1, so reviewers are distinct)
→ sink (capacity L). A replicated matrix for `linear_sum_assignment` cannot keep one expert from taking
two seats on the same bid, a flow can. Costs are exact integers: affinity in millionths, scaled above a
penalty of the expert's position in id order, so equal totals go to lower expert ids and the result
depends on the inputs only. When seats cannot all be filled, the most seats are filled (then the best
affinity) and the result says which bids lack how many reviewers.
Sizes are a panel's (tens of bids, a pool of a few hundred experts), well within pure Python.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from marketplace.errors import RuleViolation

UNITS = 1_000_000  # affinity resolution: millionths


@dataclass(frozen=True)
class PanelAssignment:
    panels: dict[int, tuple[int, ...]]  # bid id → expert ids, ascending
    loads: dict[int, int]               # expert id → bids assigned (experts with none omitted)
    total_units: int                    # Σ affinity, in millionths (exact)
    shortfall: dict[int, int]           # bid id → reviewers still missing (only bids that lack some)

    @property
    def total(self) -> float:
        return self.total_units / UNITS

    @property
    def complete(self) -> bool:
        return not self.shortfall

    @property
    def message(self) -> str:
        """Chinese summary of what is missing; empty when complete."""
        if self.complete:
            return ""
        lacking = "、".join(f"方案 #{b} 缺 {n} 名" for b, n in sorted(self.shortfall.items()))
        return f"无利益冲突的评审专家不足，无法组成完整评审组：{lacking}"

    def require_complete(self) -> PanelAssignment:
        if not self.complete:
            raise RuleViolation(self.message, fields={
                f"bid_{b}": f"缺少 {n} 名评审专家" for b, n in sorted(self.shortfall.items())})
        return self


class _Flow:
    """Successive shortest paths (Bellman–Ford queue) on an integer-cost network."""

    def __init__(self, n: int):
        self.adj: list[list[int]] = [[] for _ in range(n)]
        self.to: list[int] = []
        self.cap: list[int] = []
        self.cost: list[int] = []

    def add(self, u: int, v: int, cap: int, cost: int) -> int:
        for a, b, c, w in ((u, v, cap, cost), (v, u, 0, -cost)):
            self.adj[a].append(len(self.to))
            self.to.append(b)
            self.cap.append(c)
            self.cost.append(w)
        return len(self.to) - 2

    def _shortest(self, s: int, t: int) -> list[int] | None:
        dist: list[float] = [math.inf] * len(self.adj)
        via: list[int] = [-1] * len(self.adj)
        dist[s], queue, queued = 0, deque([s]), {s}
        while queue:
            u = queue.popleft()
            queued.discard(u)
            for e in self.adj[u]:
                v = self.to[e]
                if self.cap[e] > 0 and dist[u] + self.cost[e] < dist[v]:
                    dist[v], via[v] = dist[u] + self.cost[e], e
                    if v not in queued:
                        queue.append(v)
                        queued.add(v)
        if dist[t] == math.inf:
            return None
        path, v = [], t
        while v != s:
            path.append(via[v])
            v = self.to[via[v] ^ 1]
        return path

    def run(self, s: int, t: int) -> None:
        while (path := self._shortest(s, t)) is not None:
            push = min(self.cap[e] for e in path)
            for e in path:
                self.cap[e] -= push
                self.cap[e ^ 1] += push


def _units(value: float) -> int:
    if not math.isfinite(value) or value < 0:
        raise RuleViolation("匹配度须为非负的有限数值")
    return round(value * UNITS)


def assign(bid_ids: Iterable[int], expert_ids: Iterable[int], affinity: Mapping[tuple[int, int], float],
           conflicts: Iterable[tuple[int, int]], *, reviewers_per_bid: int = 3,
           max_load: int = 5) -> PanelAssignment:
    """Best conflict-free panels; `affinity` maps (bid, expert) → 0–1 (missing pairs score 0)."""
    if reviewers_per_bid < 1 or max_load < 1:
        raise RuleViolation("每个方案的评审专家数和每位专家的评审上限都须至少为 1")
    bids, experts, blocked = sorted(set(bid_ids)), sorted(set(expert_ids)), set(conflicts)
    nb, ne = len(bids), len(experts)
    scale = nb * reviewers_per_bid * ne + 1  # exceeds any total id-order penalty
    flow = _Flow(nb + ne + 2)
    source, sink = nb + ne, nb + ne + 1
    seats: dict[int, tuple[int, int, int]] = {}
    for i, b in enumerate(bids):
        flow.add(source, i, reviewers_per_bid, 0)
        for j, e in enumerate(experts):
            if (b, e) not in blocked:
                units = _units(affinity.get((b, e), 0.0))
                seats[flow.add(i, nb + j, 1, -units * scale + j)] = (b, e, units)
    for j in range(ne):
        flow.add(nb + j, sink, max_load, 0)
    flow.run(source, sink)
    chosen = [seats[edge] for edge in seats if flow.cap[edge] == 0]
    panels = {b: tuple(e for bb, e, _ in chosen if bb == b) for b in bids}
    loads: dict[int, int] = {}
    for _, e, _ in chosen:
        loads[e] = loads.get(e, 0) + 1
    shortfall = {b: reviewers_per_bid - len(p) for b, p in panels.items() if len(p) < reviewers_per_bid}
    return PanelAssignment(panels, dict(sorted(loads.items())), sum(u for *_, u in chosen), shortfall)
