"""fANOVA: main-effect variance shares of a random forest fitted to the trials.

The method (Hutter, Hoos and Leyton-Brown, ICML 2014) fits a random forest to (parameters, value) and, for each
tree, decomposes the variance of its prediction ``f`` under the uniform measure on the search space (functional
ANOVA). The importance of parameter ``d`` is the variance of its main effect ``a_d(x_d) = E[f | x_d] - E[f]``
divided by the total variance of ``f``, averaged over the trees.

A tree is constant on each leaf, and a leaf is a box. With ``v_l`` the leaf's centred value, ``vol_l`` its
volume and ``w_ld`` its width along ``d``, the main effect is a step function of ``x_d``:
``a_d(x_d) = sum over leaves whose box spans x_d of v_l * vol_l / w_ld``. Its steps are the tree's split
points on ``d``, so all main effects of a tree come from one pass over its leaves: each leaf adds its term at
the index of its lower bound and removes it at the index of its upper bound, and a cumulative sum gives
``a_d`` on every segment. Boxes are carried as indices into the sorted split points and filled level by level,
so nothing loops over nodes in Python.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from albacore.importance._forest import ForestImportanceEvaluator

__all__ = ["FanovaImportanceEvaluator", "forest_main_effect_shares", "tree_main_effects"]


class FanovaImportanceEvaluator(ForestImportanceEvaluator):
    """fANOVA importance evaluator: each parameter's share of the variance of a random forest's prediction.

    Needs scikit-learn (``pip install 'albacore[sklearn]'``). Each tree's functional ANOVA is computed in closed
    form from its leaves, vectorized over leaves and parameters, so the forest's fit dominates the cost. Only
    trials holding every evaluated parameter are read; with ``params`` None the evaluated parameters are those
    present, with one distribution, in every counted trial.

    Seeding: ``seed=None`` fits with a fixed seed (0), so the same study gives the same importances on every
    call, in :func:`~albacore.importance.get_param_importances` and in ``plot_param_importances`` alike; pass
    another seed to fit another forest.

    Args:
        n_trees: Number of trees in the forest.
        max_depth: Maximum depth of each tree.
        seed: Seed of the forest's bootstrap samples; None means 0.

    Example:
        >>> import albacore
        >>> def objective(trial):
        ...     return trial.suggest_float("x", -5, 5) ** 2 + 0.01 * trial.suggest_float("y", -5, 5)
        >>> study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
        >>> study.optimize(objective, n_trials=100)
        >>> evaluator = albacore.importance.FanovaImportanceEvaluator(n_trees=16)
        >>> importances = albacore.importance.get_param_importances(study, evaluator=evaluator)
        >>> list(importances), importances["x"] > 0.9
        (['x', 'y'], True)
    """

    def _shares(self, forest: Any, n_features: int) -> np.ndarray:
        return forest_main_effect_shares(forest, n_features)


def forest_main_effect_shares(forest: Any, n_features: int) -> np.ndarray:
    """Mean over trees (those that are not constant) of each feature's main-effect variance share."""
    total = np.zeros(n_features)
    counted = 0
    for estimator in forest.estimators_:
        main, variance = tree_main_effects(estimator.tree_, n_features)
        if variance > 0.0:
            total += main / variance
            counted += 1
    return total / counted if counted else total


def tree_main_effects(tree: Any, n_features: int) -> tuple[np.ndarray, float]:
    """Return the main-effect variance of each feature and the total variance of a fitted scikit-learn tree.

    The tree's inputs must lie in the unit box, whose uniform measure is the one integrated over.
    """
    left = np.asarray(tree.children_left)
    right = np.asarray(tree.children_right)
    split = np.nonzero(left >= 0)[0]
    split_feature = np.asarray(tree.feature)[split].astype(np.int64)
    split_at = np.clip(np.asarray(tree.threshold)[split], 0.0, 1.0)

    # Break points of feature d, in one array: 0, its distinct split points ascending, 1; then feature d + 1.
    order = np.lexsort((split_at, split_feature))
    sorted_feature = split_feature[order]
    sorted_at = split_at[order]
    new = np.ones(order.size, dtype=bool)
    new[1:] = (sorted_feature[1:] != sorted_feature[:-1]) | (sorted_at[1:] != sorted_at[:-1])
    cut_feature = sorted_feature[new]
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.cumsum(new) - 1
    n_cuts = np.bincount(cut_feature, minlength=n_features)
    block_start = np.concatenate(([0], np.cumsum(n_cuts + 2)[:-1]))
    block_end = block_start + n_cuts + 1
    points = np.zeros(int(block_end[-1]) + 1 if n_features else 0)
    points[block_end] = 1.0
    points[np.arange(cut_feature.size) + 2 * cut_feature + 1] = sorted_at[new]
    node_cut = np.zeros(left.size, dtype=np.int64)
    node_cut[split] = rank + 2 * split_feature + 1

    # Boxes as indices into `points`, filled from the root one level at a time.
    low = np.empty((left.size, n_features), dtype=np.int64)
    high = np.empty((left.size, n_features), dtype=np.int64)
    low[0] = block_start
    high[0] = block_end
    frontier = np.zeros(1, dtype=np.int64)
    feature = np.asarray(tree.feature)
    while frontier.size:
        parents = frontier[left[frontier] >= 0]
        if not parents.size:
            break
        lo_kids = left[parents]
        hi_kids = right[parents]
        f = feature[parents]
        for kids in (lo_kids, hi_kids):
            low[kids] = low[parents]
            high[kids] = high[parents]
        high[lo_kids, f] = node_cut[parents]
        low[hi_kids, f] = node_cut[parents]
        frontier = np.concatenate((lo_kids, hi_kids))

    leaves = np.nonzero(left < 0)[0]
    leaf_low = low[leaves]
    leaf_high = high[leaves]
    widths = points[leaf_high] - points[leaf_low]
    volume = np.prod(widths, axis=1)
    value = np.asarray(tree.value)[leaves, 0, 0]
    centred = value - np.dot(volume, value)
    variance = float(np.dot(volume, centred * centred))
    if variance <= 0.0 or not split.size:
        return np.zeros(n_features), 0.0

    # a_d on each segment [points[g], points[g + 1]) through a difference array and a cumulative sum.
    term = np.divide((centred * volume)[:, None], widths, out=np.zeros_like(widths), where=widths > 0.0)
    size = points.size
    steps = np.bincount(leaf_low.ravel(), weights=term.ravel(), minlength=size)
    steps -= np.bincount(leaf_high.ravel(), weights=term.ravel(), minlength=size)
    effect = np.cumsum(steps)
    segment_feature = np.repeat(np.arange(n_features), n_cuts + 2)
    # Restart the sum at each feature's block so rounding left by one feature does not leak into the next.
    effect -= np.concatenate(([0.0], effect[block_start[1:] - 1]))[segment_feature]
    lengths = np.zeros(size)
    lengths[:-1] = np.diff(points)
    lengths[block_end] = 0.0
    main = np.bincount(segment_feature, weights=lengths * effect * effect, minlength=n_features)
    return main, variance
