"""Clustering guards: conflicts and size cut the weakest links, nothing else changes."""

from __future__ import annotations

import numpy as np

from identity.clustering import cluster


def edges(*pairs: tuple[int, int, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    left = np.array([p[0] for p in pairs], dtype=np.int64)
    right = np.array([p[1] for p in pairs], dtype=np.int64)
    strength = np.array([p[2] for p in pairs], dtype=np.float64)
    return left, right, strength


def groups(labels: np.ndarray) -> list[list[int]]:
    found: dict[int, list[int]] = {}
    for node, label in enumerate(labels.tolist()):
        found.setdefault(label, []).append(node)
    return sorted(found.values())


def test_without_conflicts_clusters_are_connected_components() -> None:
    left, right, strength = edges((0, 1, 0.99), (1, 2, 0.96), (3, 4, 2.0))
    result = cluster(6, left, right, strength, [], max_size=10)
    assert groups(result.labels) == [[0, 1, 2], [3, 4], [5]]
    assert result.cut_edges == frozenset() and result.guarded_components == 0


def test_a_thin_record_linked_to_two_different_people_joins_the_stronger() -> None:
    # 0 and 2 are different people (a conflict); 1 is a guest order sharing an email with both.
    left, right, strength = edges((0, 1, 0.97), (1, 2, 0.99))
    result = cluster(3, left, right, strength, [(0, 2)], max_size=10)
    assert groups(result.labels) == [[0], [1, 2]]
    assert result.cut_edges == frozenset({0})


def test_rule_links_outrank_model_links() -> None:
    left, right, strength = edges((0, 1, 2.0), (1, 2, 0.999), (2, 3, 2.0))
    result = cluster(4, left, right, strength, [(0, 3)], max_size=10)
    assert groups(result.labels) == [[0, 1], [2, 3]]
    assert result.cut_edges == frozenset({1})


def test_oversized_components_lose_their_weakest_links() -> None:
    chain = [(i, i + 1, 0.99 - i * 0.001) for i in range(5)]
    left, right, strength = edges(*chain)
    result = cluster(6, left, right, strength, [], max_size=3)
    assert groups(result.labels) == [[0, 1, 2], [3, 4, 5]]
    assert result.cut_edges == frozenset({2})


def test_conflicts_in_other_components_change_nothing() -> None:
    left, right, strength = edges((0, 1, 0.99), (2, 3, 0.99))
    result = cluster(5, left, right, strength, [(0, 4)], max_size=10)
    assert groups(result.labels) == [[0, 1], [2, 3], [4]]
