"""The random forest that fANOVA and mean decrease impurity read: its data, its seed, and fitting it.

Every parameter is one column in the unit interval, laid out as the samplers lay it out (log-scaled ones after
``log``; a discrete value at the centre of its cell, so each value owns an equal share), and a categorical
choice ``i`` of ``k`` at ``(i + 0.5) / k``. A uniform measure on the unit box is then the search space's prior,
which is the measure fANOVA integrates over.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore._optional import require
from albacore.exceptions import InvalidArgumentError
from albacore.importance._base import BaseImportanceEvaluator
from albacore.importance._data import (
    Target,
    check_params,
    counted_trials,
    internal_matrix,
    ordered_by_importance,
    shared_space,
)
from albacore.samplers._transform import SearchSpaceTransform

if TYPE_CHECKING:
    from albacore.study import Study

__all__ = ["DEFAULT_SEED", "ForestData", "ForestImportanceEvaluator", "fit_forest", "forest_data"]

DEFAULT_SEED = 0
"""The forest's seed when the user gives none: importances of one study are the same on every call."""


@dataclass(frozen=True)
class ForestData:
    """What a forest is fitted on.

    Attributes:
        names: Every evaluated parameter, in search-space order.
        columns: Indices into ``names`` of the parameters that vary (the others have importance 0).
        x: Unit-box coordinates, one row per trial, one column per entry of ``columns``.
        y: The analysed value of each trial.
    """

    names: list[str]
    columns: list[int]
    x: np.ndarray
    y: np.ndarray


class ForestImportanceEvaluator(BaseImportanceEvaluator):
    """What fANOVA and MDI share: the arguments, the trials read, the forest; they differ in how they read it.

    Args:
        n_trees: Number of trees in the forest.
        max_depth: Maximum depth of each tree.
        seed: Seed of the forest's bootstrap samples; None means a fixed seed (0).
    """

    def __init__(self, *, n_trees: int = 64, max_depth: int = 64, seed: int | None = None) -> None:
        _check_forest_args(n_trees, max_depth, seed)
        self._n_trees = n_trees
        self._max_depth = max_depth
        self._seed = seed

    @abc.abstractmethod
    def _shares(self, forest: Any, n_features: int) -> np.ndarray:
        """Each feature's importance in a fitted forest."""

    def evaluate(
        self,
        study: Study,
        params: list[str] | None = None,
        *,
        target: Target | None = None,
    ) -> dict[str, float]:
        """Return each parameter's importance, most important first.

        Args:
            study: The study; its COMPLETE trials with finite values count.
            params: Parameters to evaluate; None means those in every counted trial with one distribution.
            target: Maps a trial to the value analysed; required for a study with several objectives.

        Raises:
            InvalidArgumentError: Several objectives and no ``target``; a name in ``params`` that no counted
                trial holds, or whose distribution changed during the study.
            MissingDependencyError: scikit-learn is not installed.
        """
        name = type(self).__name__
        data = forest_data(study, params, target, name)
        importances = dict.fromkeys(data.names, 0.0)
        if data.columns and data.y.size >= 2:
            forest = fit_forest(data, self._n_trees, self._max_depth, self._seed, name)
            for column, share in zip(data.columns, self._shares(forest, len(data.columns)), strict=True):
                importances[data.names[column]] = float(share)
        return ordered_by_importance(importances, data.names)


def _check_forest_args(n_trees: int, max_depth: int, seed: int | None) -> None:
    if isinstance(n_trees, bool) or not isinstance(n_trees, int) or n_trees < 1:
        raise InvalidArgumentError(f"`n_trees` must be a positive int, got {n_trees!r}.")
    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 1:
        raise InvalidArgumentError(f"`max_depth` must be a positive int, got {max_depth!r}.")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
        raise InvalidArgumentError(f"`seed` must be an int or None, got {seed!r}.")


def forest_data(study: Study, params: list[str] | None, target: Target | None, evaluator: str) -> ForestData:
    """Collect the trials a forest-based evaluator reads, as unit-box coordinates and target values.

    Raises:
        InvalidArgumentError: The study has several objectives and no ``target`` was given, or ``params`` names
            a parameter that no counted trial holds, or that changed its distribution.
    """
    if target is None and len(study.directions) > 1:
        raise InvalidArgumentError(
            f"{evaluator} needs `target` on a study with {len(study.directions)} objectives, for example "
            "`target=lambda t: t.values[0]`; PedAnovaImportanceEvaluator handles several objectives without one."
        )
    names = check_params(params)
    trials, values = counted_trials(study, target)
    trials_used, space = shared_space(trials, names)
    if len(trials_used) != len(trials):
        keep = {id(t) for t in trials_used}
        values = values[[id(t) in keep for t in trials]]
    columns = [j for j, dist in enumerate(space.values()) if not dist.single()]
    varying = {name: dist for name, dist in space.items() if not dist.single()}
    transform = SearchSpaceTransform(varying, one_hot=False)
    internal = internal_matrix(trials_used, varying)
    x = transform.encode(internal)
    n_choices = transform.n_choices.astype(float)
    categorical = transform.is_categorical
    x[:, categorical] = (x[:, categorical] + 0.5) / n_choices[categorical]
    return ForestData(list(space), columns, x, values[:, 0].copy())


def fit_forest(data: ForestData, n_trees: int, max_depth: int, seed: int | None, feature: str) -> Any:
    """Fit scikit-learn's random forest regressor (bootstrap samples, every feature at each split).

    Trees are fitted in threads on every core; each tree's randomness is drawn from the seed up front, so the
    forest is the same whatever the number of cores.
    """
    ensemble = require("sklearn.ensemble", extra="sklearn", feature=feature)
    forest = ensemble.RandomForestRegressor(
        n_estimators=n_trees,
        max_depth=max_depth,
        min_samples_split=2,
        min_samples_leaf=1,
        random_state=DEFAULT_SEED if seed is None else seed,
        n_jobs=-1,
    )
    forest.fit(data.x, data.y)
    return forest
