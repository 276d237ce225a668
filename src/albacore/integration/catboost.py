"""CatBoost: report an evaluation metric every iteration, stop training when the trial is pruned.

CatBoost runs Python callbacks from its C++ training loop and turns any exception raised there into a
``CatBoostError``, so a callback cannot end the trial by raising ``TrialPruned`` the way the other pruning
callbacks do. This one stops training instead, and ``check_pruned()`` (called after ``fit``) raises
``TrialPruned``. If an objective forgets that call, a warning in albacore's log names the trial, so a pruned
trial never passes silently as complete.
"""

from __future__ import annotations

import copy
import weakref
from dataclasses import dataclass
from typing import Any

from albacore._optional import require
from albacore.exceptions import InvalidArgumentError, TrialPruned
from albacore.logging import get_logger
from albacore.trial import Trial

__all__ = ["CatBoostPruningCallback"]

_logger = get_logger(__name__)


@dataclass
class _Outcome:
    """What a callback decided; kept apart from the callback so that its finalizer can read it."""

    trial_number: int
    pruned_at: int | None = None
    checked: bool = False


def _warn_if_unchecked(outcome: _Outcome) -> None:
    if outcome.pruned_at is not None and not outcome.checked:
        _logger.warning(
            f"Trial {outcome.trial_number} was pruned by CatBoostPruningCallback at iteration {outcome.pruned_at} "
            "(training stopped there), but check_pruned() was never called after fit(), so the trial was not "
            "marked PRUNED. Call pruning_callback.check_pruned() right after fit()."
        )


class CatBoostPruningCallback:
    """Report ``metric`` on an evaluation set after every iteration; stop training when the trial is pruned.

    Call :meth:`check_pruned` right after ``fit``: it raises :class:`~albacore.TrialPruned` when training was
    stopped by the pruner (CatBoost does not let a callback raise it; see the module documentation). The
    callback works on CPU; CatBoost does not run Python callbacks on GPU.

    Args:
        trial: The trial being evaluated.
        metric: The evaluation metric to report, for example ``"Logloss"`` or ``"AUC"``: the model's
            ``eval_metric`` or one of its ``custom_metric`` values.
        eval_set_index: Which entry of ``eval_set`` to watch when ``fit`` is given several (0, 1, ...); None
            when there is one.

    Raises:
        InvalidArgumentError: When ``metric`` is not a non-empty string or ``eval_set_index`` is not None or an
            integer >= 0; during ``fit`` (wrapped by CatBoost in a ``CatBoostError``), when the metric or
            evaluation set is not computed by the training.

    Example:
        >>> import albacore, catboost
        >>> from sklearn.datasets import load_breast_cancer
        >>> X, y = load_breast_cancer(return_X_y=True)
        >>> def objective(trial):
        ...     model = catboost.CatBoostClassifier(
        ...         iterations=20, depth=trial.suggest_int("depth", 2, 4), eval_metric="AUC",
        ...         thread_count=1, verbose=0, allow_writing_files=False)
        ...     pruning = albacore.integration.CatBoostPruningCallback(trial, "AUC")
        ...     model.fit(X[:400], y[:400], eval_set=[(X[400:], y[400:])], callbacks=[pruning])
        ...     pruning.check_pruned()  # raises TrialPruned if the pruner stopped training
        ...     return model.get_best_score()["validation"]["AUC"]
        >>> study = albacore.create_study(direction="maximize")
        >>> study.optimize(objective, n_trials=3)
        >>> sorted(study.trials[0].intermediate_values)[:3]
        [0, 1, 2]
    """

    def __init__(self, trial: Trial, metric: str, eval_set_index: int | None = None) -> None:
        require("catboost", extra="catboost", feature="CatBoostPruningCallback")
        if not isinstance(metric, str) or not metric:
            raise InvalidArgumentError(
                f"`metric` of CatBoostPruningCallback must be a metric name such as 'Logloss', got {metric!r}."
            )
        if eval_set_index is not None and (
            isinstance(eval_set_index, bool) or not isinstance(eval_set_index, int) or eval_set_index < 0
        ):
            raise InvalidArgumentError(
                "`eval_set_index` of CatBoostPruningCallback must be None (one eval_set) or an index >= 0 into "
                f"eval_set, got {eval_set_index!r}."
            )
        self._trial = trial
        self._metric = metric
        # CatBoost names a single evaluation set "validation" and several "validation_0", "validation_1", ...
        self._eval_name = "validation" if eval_set_index is None else f"validation_{eval_set_index}"
        self._outcome = _Outcome(trial.number)
        weakref.finalize(self, _warn_if_unchecked, self._outcome).atexit = False

    def __deepcopy__(self, memo: dict[int, Any]) -> CatBoostPruningCallback:
        # scikit-learn's clone deep-copies estimator parameters; a copy must report to the same trial.
        duplicate = copy.copy(self)
        duplicate._outcome = _Outcome(self._outcome.trial_number)
        weakref.finalize(duplicate, _warn_if_unchecked, duplicate._outcome).atexit = False
        return duplicate

    @property
    def pruned(self) -> bool:
        """Whether the pruner stopped this training."""
        return self._outcome.pruned_at is not None

    def after_iteration(self, info: Any) -> bool:
        """Report the metric's latest value at step ``info.iteration - 1``; called by CatBoost.

        Args:
            info: CatBoost's progress record: ``info.iteration`` (counted from 1) and ``info.metrics``, for
                example ``{"learn": {"Logloss": [...]}, "validation": {"Logloss": [...], "AUC": [...]}}``.

        Returns:
            True to go on training, False (the trial is pruned) to stop.
        """
        metrics = info.metrics
        if self._eval_name not in metrics:
            sets = sorted(name for name in metrics if name != "learn")
            raise InvalidArgumentError(
                f"CatBoostPruningCallback watches the evaluation set {self._eval_name!r}, but this training "
                f"evaluates {sets or 'none (pass eval_set= to fit)'}; set eval_set_index to the position of the "
                "set in eval_set (None when there is only one)."
            )
        history = metrics[self._eval_name]
        if self._metric not in history:
            raise InvalidArgumentError(
                f"CatBoostPruningCallback reports {self._metric!r}, but {self._eval_name!r} is evaluated on "
                f"{sorted(history)}; set eval_metric (or custom_metric) of the model to include it."
            )
        step = info.iteration - 1
        self._trial.report(float(history[self._metric][-1]), step=step)
        if self._trial.should_prune():
            self._outcome.pruned_at = step
            return False
        return True

    def check_pruned(self) -> None:
        """Raise :class:`~albacore.TrialPruned` if the pruner stopped the training; call it right after ``fit``.

        Raises:
            TrialPruned: When the trial was pruned.
        """
        self._outcome.checked = True
        if self._outcome.pruned_at is not None:
            raise TrialPruned(f"Trial was pruned at iteration {self._outcome.pruned_at}.")
