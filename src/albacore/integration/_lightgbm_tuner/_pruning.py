"""LightGBMPruningCallback: report a LightGBM metric to a trial each round and stop the training when pruned."""

from __future__ import annotations

from typing import Any

from albacore.exceptions import InvalidArgumentError, TrialPruned
from albacore.study import StudyDirection
from albacore.trial import Trial

__all__ = ["LightGBMPruningCallback"]


class LightGBMPruningCallback:
    """A ``lightgbm.train``/``lightgbm.cv`` callback that reports ``metric`` to ``trial`` and prunes.

    Args:
        trial: The trial whose training this is.
        metric: The metric to report, as LightGBM names it in its evaluation log (``"binary_logloss"``,
            ``"auc"``, ``"ndcg@5"`` ...).
        valid_name: The validation set to read: ``"valid_0"`` is LightGBM's name for the first one passed to
            ``train``; with ``lightgbm.cv`` it stands for the cross-validated mean (``"valid"``).
        report_interval: Report (and check for pruning) every this many rounds.

    Raises:
        TrialPruned: From inside LightGBM's training loop when the study's pruner prunes the trial.

    Example:
        >>> import albacore, lightgbm as lgb
        >>> from sklearn.datasets import load_breast_cancer
        >>> X, y = load_breast_cancer(return_X_y=True)
        >>> def objective(trial):
        ...     params = {"objective": "binary", "verbosity": -1,
        ...               "num_leaves": trial.suggest_int("num_leaves", 2, 64, log=True)}
        ...     callback = LightGBMPruningCallback(trial, "binary_logloss")
        ...     booster = lgb.train(params, lgb.Dataset(X[:400], y[:400]), 10,
        ...                         valid_sets=[lgb.Dataset(X[400:], y[400:])], callbacks=[callback])
        ...     return booster.best_score["valid_0"]["binary_logloss"]
        >>> study = albacore.create_study()
        >>> study.optimize(objective, n_trials=2)
        >>> len(study.trials[0].intermediate_values)
        10
    """

    def __init__(self, trial: Trial, metric: str, valid_name: str = "valid_0", report_interval: int = 1) -> None:
        if not isinstance(report_interval, int) or report_interval < 1:
            raise InvalidArgumentError(f"`report_interval` must be a positive integer, got {report_interval!r}")
        self._trial = trial
        self._metric = metric
        self._valid_name = valid_name
        self._report_interval = report_interval
        self.order = 30  # LightGBM runs callbacks by this key: after its evaluation log (10) and record (20)

    def __call__(self, env: Any) -> None:
        if (env.iteration + 1) % self._report_interval != 0:
            return
        is_cv = env.evaluation_result_list and len(env.evaluation_result_list[0]) == 5
        target = "valid" if is_cv and self._valid_name == "valid_0" else self._valid_name
        for entry in env.evaluation_result_list:
            name, metric, value, higher_is_better = entry[0], entry[1], entry[2], entry[3]
            if is_cv and " " in name:  # LightGBM < 4 named cv entries "cv_agg" and put the set in the metric
                name, metric = metric.split(" ", 1)
            if name != target or metric != self._metric:
                continue
            self._check_direction(higher_is_better)
            self._trial.report(float(value), step=env.iteration)
            if self._trial.should_prune():
                raise TrialPruned(f"Trial was pruned at iteration {env.iteration}.")
            return
        seen = sorted({f"{e[0]}/{e[1]}" for e in env.evaluation_result_list})
        raise InvalidArgumentError(
            f"LightGBMPruningCallback found no metric {self._metric!r} for validation set {target!r}; "
            f"LightGBM reported {seen}"
        )

    def _check_direction(self, higher_is_better: bool) -> None:
        expected = StudyDirection.MAXIMIZE if higher_is_better else StudyDirection.MINIMIZE
        direction = self._trial.study.direction
        if direction != expected:
            raise InvalidArgumentError(
                f"metric {self._metric!r} is {'maximised' if higher_is_better else 'minimised'} by LightGBM but "
                f"the study {direction.name.lower()}s; create the study with direction="
                f"{expected.name.lower()!r}"
            )
