"""MLflow: record every finished trial as an MLflow run (values, parameters, tags), optionally with the
objective's own MLflow logging in the same run.

Where this differs from Optuna's callback, on purpose:

- Threads (``optimize(n_jobs=4)``): trials are logged in parallel without "Run ... is already active" errors
  (Optuna issue #4088) and without a lock held around the whole objective; MLflow keeps the active run per thread
  since 2.18, and the experiment is resolved once, under a lock.
- ``mlflow_kwargs={"nested": True}`` with no active parent run (Optuna issue #5148): the trial runs are grouped
  under one parent run per study, named after the study and shared by every process that logs the study.
- The study's experiment is looked up once and passed to each run explicitly; the callback never changes the
  process-wide active experiment (``mlflow.set_experiment``).
- A run's final status follows the trial: FINISHED (complete), KILLED (pruned) or FAILED.
"""

from __future__ import annotations

import functools
import inspect
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from albacore._optional import require
from albacore.exceptions import InvalidArgumentError
from albacore.integration._tracking import ProcessLocalState, check_metric_name, metric_names
from albacore.trial import FrozenTrial, Trial, TrialState

if TYPE_CHECKING:
    from albacore.study import Study

__all__ = ["RUN_ID_ATTRIBUTE_KEY", "MLflowCallback"]

RUN_ID_ATTRIBUTE_KEY = "mlflow_run_id"
"""Trial system attribute holding the MLflow run that :meth:`MLflowCallback.track_in_mlflow` opened."""

# Tags that mark the parent run grouping a study's nested trial runs.
_PARENT_ROLE_TAG = "albacore.role"
_PARENT_STUDY_TAG = "albacore.study_name"

_STATUS = {TrialState.COMPLETE: "FINISHED", TrialState.PRUNED: "KILLED", TrialState.FAIL: "FAILED"}


def _mlflow() -> Any:
    return require("mlflow", extra="mlflow", feature="MLflowCallback")


class MLflowCallback(ProcessLocalState):
    """Log each finished trial to MLflow as one run: values as metrics, parameters as params, details as tags.

    Pass it to ``optimize(callbacks=[...])``. With :meth:`track_in_mlflow`, whatever the objective logs to MLflow
    lands in the trial's run too.

    Args:
        tracking_uri: The MLflow tracking URI (for example ``"sqlite:///mlflow.db"``); None keeps MLflow's
            current one. It is set process-wide, as ``mlflow.set_tracking_uri`` does.
        metric_name: The metric name of the objective value, or one name per objective. A single name with
            several objectives is numbered: ``value_0``, ``value_1``.
        create_experiment: Log to an experiment named after the study (created if missing). When False, the
            runs go to ``mlflow_kwargs["experiment_id"]`` or MLflow's active experiment.
        mlflow_kwargs: Arguments for ``mlflow.start_run``: ``experiment_id``, ``run_name`` (default: the trial
            number), ``nested`` (nest trial runs under the active run, or else under a parent run for the study),
            ``parent_run_id``, ``tags``, ``description``, ``log_system_metrics``.
        tag_study_user_attrs: Add the study's user attributes to each run's tags.
        tag_trial_user_attrs: Add the trial's user attributes to its run's tags.

    Raises:
        InvalidArgumentError: When ``metric_name`` is not a string or a sequence of strings, or
            ``mlflow_kwargs`` has a key that ``mlflow.start_run`` does not take; when logging, if the number of
            metric names differs from the number of objectives, or ``nested`` is not set while this thread has
            an active MLflow run.

    Example:
        >>> import albacore, mlflow, tempfile, os
        >>> uri = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "mlflow.db")
        >>> tracking = albacore.integration.MLflowCallback(tracking_uri=uri, metric_name="loss")
        >>> @tracking.track_in_mlflow()
        ... def objective(trial):
        ...     x = trial.suggest_float("x", -10, 10)
        ...     mlflow.log_metric("x_squared", x * x)  # lands in the trial's run
        ...     return (x - 2) ** 2
        >>> study = albacore.create_study(study_name="mlflow-doc")
        >>> study.optimize(objective, n_trials=3, callbacks=[tracking])
        >>> runs = mlflow.MlflowClient(uri).search_runs([mlflow.get_experiment_by_name("mlflow-doc").experiment_id])
        >>> sorted(run.data.tags["number"] for run in runs), sorted(runs[0].data.metrics)
        (['0', '1', '2'], ['loss', 'x_squared'])
    """

    def __init__(
        self,
        tracking_uri: str | None = None,
        metric_name: str | Sequence[str] = "value",
        create_experiment: bool = True,
        mlflow_kwargs: dict[str, Any] | None = None,
        tag_study_user_attrs: bool = False,
        tag_trial_user_attrs: bool = True,
    ) -> None:
        mlflow = _mlflow()
        check_metric_name(metric_name, "MLflowCallback")
        kwargs = dict(mlflow_kwargs or {})
        accepted = set(inspect.signature(mlflow.start_run).parameters) - {"run_id"}
        unknown = sorted(set(kwargs) - accepted)
        if unknown:
            raise InvalidArgumentError(
                f"`mlflow_kwargs` of MLflowCallback has keys that mlflow.start_run does not take: {unknown}; "
                f"it takes {sorted(accepted)}."
            )
        self._tracking_uri = tracking_uri
        self._metric_name = metric_name
        self._create_experiment = create_experiment
        self._mlflow_kwargs = kwargs
        self._tag_study_user_attrs = tag_study_user_attrs
        self._tag_trial_user_attrs = tag_trial_user_attrs
        self._init_state()

    _PROCESS_LOCAL = ("_lock", "_experiments", "_parents")

    def _init_state(self) -> None:
        self._lock = threading.Lock()
        self._experiments: dict[str, str | None] = {}  # study name -> experiment id (None: MLflow's active one)
        self._parents: dict[str, str] = {}  # study name -> parent run id of nested trial runs

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        """Log ``trial`` to its MLflow run (the one :meth:`track_in_mlflow` opened, or a new one)."""
        mlflow = _mlflow()
        names = metric_names(self._metric_name, len(trial.values), "MLflowCallback") if trial.values else []
        tracked = trial.system_attrs.get(RUN_ID_ATTRIBUTE_KEY)
        # A run the decorator opened (and closed) is completed through the client: no active run is involved.
        run_id = tracked if tracked is not None else self._start_run(study, trial.number)
        status = "FAILED"
        try:
            entities = mlflow.entities
            now = int(time.time() * 1000)
            values = trial.values or []
            metrics = [entities.Metric(name, value, now, 0) for name, value in zip(names, values, strict=False)]
            params = [entities.Param(key, _clip(value, "param")) for key, value in trial.params.items()]
            tags = [entities.RunTag(key, _clip(value, "tag")) for key, value in self._tags(study, trial).items()]
            client = mlflow.MlflowClient()
            client.log_batch(run_id, metrics=metrics, params=params, tags=tags)
            status = _STATUS.get(trial.state, "FINISHED")
        finally:
            if tracked is None:
                mlflow.end_run(status=status)
            else:
                mlflow.MlflowClient().set_terminated(run_id, status=status)

    def track_in_mlflow(self) -> Callable[[Callable[[Trial], Any]], Callable[[Trial], Any]]:
        """Decorate an objective so that its own MLflow logging goes to the trial's run.

        The run is open (and active in the objective's thread) while the objective runs; the callback, passed
        to ``optimize`` as well, then adds the values, parameters and tags to the same run.

        Returns:
            A decorator for objectives.
        """

        def decorator(func: Callable[[Trial], Any]) -> Callable[[Trial], Any]:
            @functools.wraps(func)
            def objective(trial: Trial) -> Any:
                run_id = self._start_run(trial.study, trial.number)
                status = "FAILED"
                try:
                    trial.set_system_attr(RUN_ID_ATTRIBUTE_KEY, run_id)
                    result = func(trial)
                    status = "FINISHED"
                    return result
                finally:
                    _mlflow().end_run(status=status)

            return objective

        return decorator

    # --- runs --------------------------------------------------------------------------------------------

    def _start_run(self, study: Study, number: int) -> str:
        """Start the trial's run, active in this thread, and return its id; the caller ends it."""
        mlflow = _mlflow()
        kwargs = dict(self._mlflow_kwargs)
        nested = bool(kwargs.pop("nested", False))
        kwargs.pop("experiment_id", None)
        experiment_id = self._experiment_id(study)
        active = mlflow.active_run()
        if active is not None and not nested:
            raise InvalidArgumentError(
                f"Run with UUID {active.info.run_id} is already active in this thread, so MLflowCallback cannot "
                "start the trial's run: pass mlflow_kwargs={'nested': True} to log trials as its children, or end "
                "it with mlflow.end_run() first."
            )
        if nested and active is None and kwargs.get("parent_run_id") is None:
            kwargs["parent_run_id"] = self._study_parent_run(study, experiment_id)
        kwargs.setdefault("run_name", str(number))
        return str(mlflow.start_run(experiment_id=experiment_id, nested=nested, **kwargs).info.run_id)

    def _experiment_id(self, study: Study) -> str | None:
        name = study.study_name
        with self._lock:
            if name in self._experiments:
                return self._experiments[name]
            mlflow = _mlflow()
            if self._tracking_uri is not None:
                mlflow.set_tracking_uri(self._tracking_uri)
            experiment_id = self._mlflow_kwargs.get("experiment_id")
            if experiment_id is None and self._create_experiment:
                experiment_id = _get_or_create_experiment(mlflow, name)
            self._experiments[name] = experiment_id
            return experiment_id

    def _study_parent_run(self, study: Study, experiment_id: str | None) -> str:
        """The run that groups the study's nested trial runs: found by its tags, or created (Optuna #5148)."""
        name = study.study_name
        with self._lock:
            if name not in self._parents:
                self._parents[name] = _find_or_create_parent(_mlflow(), study, experiment_id)
            return self._parents[name]

    # --- what is logged ----------------------------------------------------------------------------------

    def _tags(self, study: Study, trial: FrozenTrial) -> dict[str, Any]:
        directions = [direction.name for direction in study.directions]
        tags: dict[str, Any] = {
            "number": trial.number,
            "datetime_start": trial.datetime_start,
            "datetime_complete": trial.datetime_complete,
            "direction": directions[0] if len(directions) == 1 else directions,
        }
        if trial.state.is_finished():
            tags["state"] = trial.state.name
        tags.update({f"{name}_distribution": dist for name, dist in trial.distributions.items()})
        if self._tag_trial_user_attrs:
            tags.update(trial.user_attrs)
        if self._tag_study_user_attrs:
            tags.update(study.user_attrs)  # the study's attributes win a name clash, as in Optuna
        return tags


def _clip(value: Any, kind: str) -> str:
    # MLflow refuses over-long tag and parameter values (Optuna issue #1340): keep their beginning.
    limits = _mlflow().utils.validation
    limit = limits.MAX_TAG_VAL_LENGTH if kind == "tag" else limits.MAX_PARAM_VAL_LENGTH
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _get_or_create_experiment(mlflow: Any, name: str) -> str:
    client = mlflow.MlflowClient()
    experiment = client.get_experiment_by_name(name)
    if experiment is not None:
        return str(experiment.experiment_id)
    try:
        return str(client.create_experiment(name))
    except mlflow.exceptions.MlflowException:
        # Another process created it in the meantime.
        experiment = client.get_experiment_by_name(name)
        if experiment is None:
            raise
        return str(experiment.experiment_id)


def _find_or_create_parent(mlflow: Any, study: Study, experiment_id: str | None) -> str:
    tags = {_PARENT_ROLE_TAG: "study", _PARENT_STUDY_TAG: study.study_name}
    with mlflow.start_run(experiment_id=experiment_id, run_name=study.study_name, tags=tags) as created:
        pass
    # Several processes may have created one at once: every process settles on the oldest, the others go.
    quoted = study.study_name.replace("'", "\\'")
    client = mlflow.MlflowClient()
    candidates = client.search_runs(
        [created.info.experiment_id],
        filter_string=f"tags.`{_PARENT_ROLE_TAG}` = 'study' and tags.`{_PARENT_STUDY_TAG}` = '{quoted}'",
    )
    oldest = min(candidates, key=lambda run: (run.info.start_time, run.info.run_id), default=created)
    if oldest.info.run_id != created.info.run_id:
        client.delete_run(created.info.run_id)
    return str(oldest.info.run_id)
