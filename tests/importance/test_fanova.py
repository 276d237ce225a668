"""fANOVA's closed-form decomposition of a tree, checked against direct integration over its cells."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from albacore.importance._fanova import tree_main_effects

tree_module = pytest.importorskip("sklearn.tree")


def _exact_main_effects(tree: object, n_features: int) -> tuple[np.ndarray, float]:
    """Integrate the tree's prediction over the grid that its split points cut the unit box into."""
    t = tree.tree_  # type: ignore[attr-defined]
    cuts = []
    for d in range(n_features):
        points = t.threshold[(t.children_left >= 0) & (t.feature == d)]
        cuts.append(np.unique(np.concatenate(([0.0, 1.0], np.clip(points, 0.0, 1.0)))))
    mids = [0.5 * (c[1:] + c[:-1]) for c in cuts]
    widths = [np.diff(c) for c in cuts]
    grid = np.array(list(itertools.product(*mids)))
    weight = np.prod(np.array(list(itertools.product(*widths))), axis=1)
    f = tree.predict(grid).reshape([m.size for m in mids])  # type: ignore[attr-defined]
    w = weight.reshape(f.shape)
    mean = float(np.sum(w * f))
    variance = float(np.sum(w * (f - mean) ** 2))
    main = np.zeros(n_features)
    for d in range(n_features):
        others = tuple(e for e in range(n_features) if e != d)
        # Mean over the other axes (their widths sum to 1), then the variance along d.
        marginal = np.sum(w * f, axis=others) / widths[d]
        main[d] = float(np.sum(widths[d] * (marginal - mean) ** 2))
    return main, variance


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_main_effects_match_direct_integration(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.random((300, 3))
    y = np.sin(6 * x[:, 0]) + x[:, 1] * x[:, 2] + 0.1 * rng.random(300)
    tree = tree_module.DecisionTreeRegressor(max_depth=6, random_state=seed).fit(x, y)
    main, variance = tree_main_effects(tree.tree_, 3)
    expected_main, expected_variance = _exact_main_effects(tree, 3)
    assert variance == pytest.approx(expected_variance, rel=1e-9)
    assert main == pytest.approx(expected_main, rel=1e-9, abs=1e-12)
    assert main.sum() <= variance * (1 + 1e-9)  # main effects are one part of the variance


def test_additive_tree_is_all_main_effects() -> None:
    x = np.array([[a, b] for a in np.linspace(0.05, 0.95, 10) for b in np.linspace(0.05, 0.95, 10)])
    y = (x[:, 0] > 0.5) * 2.0 + (x[:, 1] > 0.3) * 1.0
    tree = tree_module.DecisionTreeRegressor(max_depth=3).fit(x, y)
    main, variance = tree_main_effects(tree.tree_, 2)
    # 2 * step(x0 > 0.5) has variance 4 * 0.25; step(x1 > 0.3) has variance 0.3 * 0.7 (split points sit
    # halfway between the samples either side, which here is 0.5 and 0.3 exactly).
    assert main == pytest.approx([1.0, 0.21])
    assert variance == pytest.approx(1.21)


def test_constant_tree_has_no_variance() -> None:
    tree = tree_module.DecisionTreeRegressor().fit(np.random.default_rng(0).random((5, 2)), np.ones(5))
    main, variance = tree_main_effects(tree.tree_, 2)
    assert variance == 0.0
    assert main.tolist() == [0.0, 0.0]
