"""Mean decrease impurity: how much a random forest's splits on each parameter reduce squared error."""

from __future__ import annotations

from typing import Any

import numpy as np

from albacore.importance._forest import ForestImportanceEvaluator

__all__ = ["MeanDecreaseImpurityImportanceEvaluator"]


class MeanDecreaseImpurityImportanceEvaluator(ForestImportanceEvaluator):
    """Mean decrease impurity (MDI) importance evaluator, from scikit-learn's random forest.

    The importance of a parameter is the decrease of squared error brought by the splits on it, weighted by
    the trials that reach each split, as a share of all decreases in the tree, averaged over the trees
    (scikit-learn's ``feature_importances_``). Fast, but biased towards parameters with many distinct values;
    prefer :class:`FanovaImportanceEvaluator` or :class:`PedAnovaImportanceEvaluator` for decisions. Needs
    scikit-learn (``pip install 'albacore[sklearn]'``); reads the same trials as
    :class:`FanovaImportanceEvaluator` and is seeded the same way (``seed=None`` means a fixed seed, 0).

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
        >>> evaluator = albacore.importance.MeanDecreaseImpurityImportanceEvaluator(n_trees=16)
        >>> list(albacore.importance.get_param_importances(study, evaluator=evaluator))
        ['x', 'y']
    """

    def _shares(self, forest: Any, n_features: int) -> np.ndarray:
        # All-constant trees make scikit-learn divide 0 by 0.
        shares: np.ndarray = np.nan_to_num(np.asarray(forest.feature_importances_, dtype=float))
        return shares
