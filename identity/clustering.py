"""Clustering linked record pairs into customers, with guards against over-merging.

Plain connected components chain people together: a family email links a guest order to both parents,
and the two parents end up as one customer. Two guards stop that:

- **conflict guard**: some pairs of records are known to be different people (different given names, or
  twins: same family name and birth date but different given names). A component holding such a pair is
  rebuilt greedily from its strongest links down, and a link that would join two records known to differ
  is cut.
- **size guard**: no customer may hold more than ``max_size`` records; the same greedy rebuild cuts the
  weakest links of an oversized component.

Components without conflicts and within size are left exactly as connected components found them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


@dataclass(frozen=True)
class Clustering:
    """Cluster label per record (dense ints) and which edges the guards cut."""

    labels: np.ndarray
    cut_edges: frozenset[int]
    guarded_components: int


def components(n_nodes: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected-component label of every node (0..n_nodes-1) given undirected edges."""
    if n_nodes == 0:
        return np.zeros(0, dtype=np.int64)
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n_nodes, n_nodes))
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


def cluster(
    n_nodes: int,
    left: np.ndarray,
    right: np.ndarray,
    strength: np.ndarray,
    conflicts: Sequence[tuple[int, int]],
    max_size: int,
) -> Clustering:
    """Cluster nodes joined by edges, applying the conflict and size guards.

    Args:
        n_nodes: number of records (nodes are 0..n_nodes-1).
        left, right: edge end points.
        strength: edge strength for the greedy rebuild (higher links first); ties broken by end points.
        conflicts: node pairs known to be different people (only pairs inside one component matter).
        max_size: the largest allowed cluster.

    Example:
        >>> import numpy as np
        >>> c = cluster(3, np.array([0, 1]), np.array([1, 2]), np.array([2.0, 1.0]), [(0, 2)], 10)
        >>> c.labels.tolist(), sorted(c.cut_edges)
        ([0, 0, 1], [1])
    """
    labels = components(n_nodes, left, right)
    sizes = np.bincount(labels, minlength=int(labels.max()) + 1 if n_nodes else 0)
    guarded = {int(c) for c in np.flatnonzero(sizes > max_size)}
    conflict_by_component: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a, b in conflicts:
        if labels[a] == labels[b]:
            conflict_by_component[int(labels[a])].append((a, b))
            guarded.add(int(labels[a]))
    if not guarded:
        return Clustering(labels, frozenset(), 0)
    edge_component = labels[left] if len(left) else np.zeros(0, dtype=np.int64)
    cut: set[int] = set()
    final = labels.copy()
    next_label = int(labels.max()) + 1
    for component in sorted(guarded):
        edge_ids = np.flatnonzero(edge_component == component)
        order = sorted(
            edge_ids.tolist(),
            key=lambda e: (-float(strength[e]), min(left[e], right[e]), max(left[e], right[e])),
        )
        nodes = np.flatnonzero(labels == component).tolist()
        parent = {n: n for n in nodes}
        members = {n: {n} for n in nodes}
        cannot: dict[int, set[int]] = {n: set() for n in nodes}
        for a, b in conflict_by_component.get(component, []):
            cannot[a].add(b)
            cannot[b].add(a)

        def find(x: int, parent: dict[int, int] = parent) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for e in order:
            ra, rb = find(int(left[e])), find(int(right[e]))
            if ra == rb:
                continue
            too_big = len(members[ra]) + len(members[rb]) > max_size
            if too_big or (cannot[ra] & members[rb]):
                cut.add(int(e))
                continue
            if len(members[ra]) < len(members[rb]):
                ra, rb = rb, ra
            parent[rb] = ra
            members[ra] |= members.pop(rb)
            cannot[ra] |= cannot.pop(rb)
        roots = sorted({find(n) for n in nodes}, key=lambda r: min(members[r]))
        for i, root in enumerate(roots):
            label = component if i == 0 else next_label
            if i:
                next_label += 1
            for n in members[root]:
                final[n] = label
    return Clustering(final, frozenset(cut), len(guarded))
