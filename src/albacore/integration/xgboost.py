"""XGBoost: report an evaluation metric every boosting round and prune unpromising trials.

One callback serves ``xgboost.train``, ``xgboost.cv`` (the mean over folds is reported) and the scikit-learn
estimators (``XGBClassifier(callbacks=[...])``, whose evaluation sets are named ``validation_0``,
``validation_1``, ...).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from albacore._optional import require
from albacore.exceptions import InvalidArgumentError, TrialPruned
from albacore.trial import Trial

__all__ = ["XGBoostPruningCallback"]

_EvalsLog = Mapping[str, Mapping[str, Sequence[Any]]]


class XGBoostPruningCallback:
    """Report ``observation_key`` to the trial after every boosting round; stop training when it is pruned.

    XGBoost names each evaluation result ``"<dataset>-<metric>"``: the dataset is the name given in
    ``evals=[(dtest, "validation")]`` (``xgboost.train``), ``"test"`` in ``xgboost.cv``, and
    ``validation_<i>`` for the i-th entry of ``eval_set`` in the scikit-learn API. The metric is the one set by
    ``eval_metric`` (or the objective's default). In ``xgboost.cv`` the mean over the folds is reported.

    The callback is an ``xgboost.callback.TrainingCallback``. Copies of it (scikit-learn's ``clone`` deep-copies
    an estimator's callbacks) report to the same trial.

    Args:
        trial: The trial being evaluated.
        observation_key: The evaluation result to report, for example ``"validation-logloss"`` or
            ``"validation_0-error"``.

    Raises:
        InvalidArgumentError: When ``observation_key`` is not a ``"<dataset>-<metric>"`` string, or (during
            training) names a result XGBoost does not compute; the message lists the ones it does.

    Example:
        >>> import albacore, xgboost as xgb
        >>> from sklearn.datasets import load_breast_cancer
        >>> X, y = load_breast_cancer(return_X_y=True)
        >>> dtrain, dvalid = xgb.DMatrix(X[:400], label=y[:400]), xgb.DMatrix(X[400:], label=y[400:])
        >>> def objective(trial):
        ...     params = {"objective": "binary:logistic", "eval_metric": "logloss",
        ...               "eta": trial.suggest_float("eta", 0.05, 0.5, log=True), "nthread": 1}
        ...     pruning = albacore.integration.XGBoostPruningCallback(trial, "validation-logloss")
        ...     booster = xgb.train(params, dtrain, 10, evals=[(dvalid, "validation")], verbose_eval=False,
        ...                         callbacks=[pruning])
        ...     return float(booster.eval(dvalid).split(":")[1])
        >>> study = albacore.create_study()
        >>> study.optimize(objective, n_trials=3)
        >>> len(study.trials[0].intermediate_values)
        10
    """

    def __init__(self, trial: Trial, observation_key: str) -> None:
        xgb = require("xgboost", extra="xgboost", feature="XGBoostPruningCallback")
        if not isinstance(observation_key, str) or "-" not in observation_key.strip("-"):
            raise InvalidArgumentError(
                "`observation_key` of XGBoostPruningCallback must be '<dataset>-<metric>', for example "
                f"'validation-logloss', got {observation_key!r}."
            )
        # XGBoost accepts only TrainingCallback instances; registering this class as a virtual subclass keeps
        # the module importable (and the class defined) without XGBoost installed. Registered once: each
        # registration invalidates every ABC's isinstance cache.
        if not issubclass(XGBoostPruningCallback, xgb.callback.TrainingCallback):
            xgb.callback.TrainingCallback.register(XGBoostPruningCallback)
        self._trial = trial
        self._observation_key = observation_key
        self._found: tuple[str, str] | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> XGBoostPruningCallback:
        # A copy must still report to the study's trial, not to a copy of the trial (and of its storage).
        return copy.copy(self)

    def before_training(self, model: Any) -> Any:
        """Called by XGBoost before the first round; returns the model unchanged."""
        return model

    def after_training(self, model: Any) -> Any:
        """Called by XGBoost after the last round; returns the model unchanged."""
        return model

    def before_iteration(self, model: Any, epoch: int, evals_log: _EvalsLog) -> bool:
        """Called by XGBoost before each round; never asks to stop."""
        return False

    def after_iteration(self, model: Any, epoch: int, evals_log: _EvalsLog) -> bool:
        """Report this round's value at step ``epoch``.

        Returns:
            False: training goes on unless the trial is pruned.

        Raises:
            TrialPruned: When the study's pruner prunes the trial; XGBoost stops and the exception reaches the
                objective (and ``optimize`` marks the trial PRUNED).
        """
        dataset, metric = self._found or self._locate(evals_log)
        latest = evals_log[dataset][metric][-1]
        # xgboost.cv logs (mean, standard deviation) over the folds.
        value = float(latest[0] if isinstance(latest, tuple) else latest)
        self._trial.report(value, step=epoch)
        if self._trial.should_prune():
            raise TrialPruned(f"Trial was pruned at iteration {epoch}.")
        return False

    def _locate(self, evals_log: _EvalsLog) -> tuple[str, str]:
        # Dataset and metric names may both contain '-', so the key is matched whole rather than split.
        for dataset, metrics in evals_log.items():
            for metric in metrics:
                if f"{dataset}-{metric}" == self._observation_key:
                    self._found = (dataset, metric)
                    return dataset, metric
        available = sorted(f"{dataset}-{metric}" for dataset, metrics in evals_log.items() for metric in metrics)
        raise InvalidArgumentError(
            f"XGBoostPruningCallback: observation_key {self._observation_key!r} is not among the evaluation "
            f"results of this training, which are {available or 'none (pass evals= or eval_set=)'}."
        )
