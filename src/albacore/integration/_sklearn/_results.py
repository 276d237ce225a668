"""``cv_results_`` in scikit-learn's layout, built from the trials of a search."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from albacore.trial import FrozenTrial, TrialState

__all__: list[str] = []


def cv_results(trials: Sequence[FrozenTrial], param_names: Sequence[str], n_splits: int, train: bool) -> dict[str, Any]:
    """One entry per trial, as GridSearchCV lays them out; a trial that did not finish has NaN scores."""
    results: dict[str, Any] = {"params": [dict(t.params) for t in trials]}
    for name in param_names:
        column = np.ma.masked_array(np.empty(len(trials), dtype=object), mask=np.ones(len(trials), dtype=bool))
        for row, trial in enumerate(trials):
            if name in trial.params:
                column[row] = trial.params[name]
        results[f"param_{name}"] = column
    keys = [f"split{i}_test_score" for i in range(n_splits)] + ["mean_test_score", "std_test_score"]
    if train:
        keys += [f"split{i}_train_score" for i in range(n_splits)] + ["mean_train_score", "std_train_score"]
    keys += ["mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time"]
    for key in keys:
        results[key] = np.array([_number(t, key) for t in trials], dtype=float)
    results["rank_test_score"] = rank(results["mean_test_score"], [t.state for t in trials])
    results["state"] = np.array([t.state.name for t in trials], dtype=object)
    return results


def _number(trial: FrozenTrial, key: str) -> float:
    value = trial.user_attrs.get(key)
    return float(value) if isinstance(value, (int, float)) else float("nan")


def rank(mean_scores: np.ndarray, states: Sequence[TrialState]) -> np.ndarray:
    """Rank 1 is the best completed trial; trials without a completed score share the last rank."""
    complete = np.array([s == TrialState.COMPLETE for s in states]) & ~np.isnan(mean_scores)
    ranks = np.full(len(mean_scores), int(complete.sum()) + 1, dtype=np.int32)
    if complete.any():
        scores = mean_scores[complete]
        # "min" ranking, as scikit-learn does: ties share the better rank.
        order = np.sort(scores)[::-1]
        ranks[complete] = np.searchsorted(-order, -scores, side="left") + 1
    return ranks
