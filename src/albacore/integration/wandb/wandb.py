"""Weights & Biases: log the study's trials to W&B, as one run for the study or one run per trial.

Where this differs from Optuna's callback, on purpose:

- W&B drops a row logged at a step lower than the run's current one. Trials that finish out of order (threads,
  several processes) or an objective that logs to the study's run itself would lose rows that way; here such a
  row goes to the next free step and carries ``trial_number``, so no trial is dropped.
- The trial's row is logged under a lock, so threads never interleave one trial's log, config and finish calls.
- ``as_multirun=True`` with :meth:`WeightsAndBiasesCallback.track_in_wandb` and several threads is refused with a
  clear error: W&B has one active run per process, so the objectives' ``wandb.log`` calls would mix trials.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from albacore._optional import require
from albacore.exceptions import InvalidArgumentError
from albacore.integration._tracking import ProcessLocalState, check_metric_name, metric_names
from albacore.trial import FrozenTrial, Trial

require("wandb", extra="wandb", feature="WeightsAndBiasesCallback")
import wandb  # noqa: E402 - require() has named the extra if W&B is missing

if TYPE_CHECKING:
    from albacore.study import Study

__all__ = ["WeightsAndBiasesCallback"]


class WeightsAndBiasesCallback(ProcessLocalState):
    """Log each finished trial's parameters and values to Weights & Biases.

    By default the whole study is one W&B run (started when the callback is created) with one row per trial at
    step ``trial.number``. With ``as_multirun=True`` every trial is its own run, tagged with the study name, which
    suits W&B's sweep-style panels (parameter importance, parallel coordinates).

    Args:
        metric_name: The name of the objective value, or one name per objective. A single name with several
            objectives is numbered: ``value_0``, ``value_1``.
        wandb_kwargs: Arguments for ``wandb.init`` (``project``, ``group``, ``mode="offline"``, ``dir``, ``tags``,
            ...).
        as_multirun: One run per trial instead of one run for the study.

    Raises:
        InvalidArgumentError: When ``metric_name`` is not a string or a sequence of strings; when logging, if
            the number of metric names differs from the number of objectives.

    Example:
        >>> import albacore, tempfile, wandb
        >>> wandb_kwargs = {"project": "doc", "mode": "offline", "dir": tempfile.mkdtemp(),
        ...                 "settings": wandb.Settings(silent=True)}
        >>> tracking = albacore.integration.WeightsAndBiasesCallback(metric_name="loss", wandb_kwargs=wandb_kwargs)
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=3, callbacks=[tracking])
        >>> wandb.run.step, wandb.run.config["direction"]  # one row per trial, at step trial.number
        (2, ['MINIMIZE'])
        >>> wandb.finish()
    """

    def __init__(
        self,
        metric_name: str | Sequence[str] = "value",
        wandb_kwargs: dict[str, Any] | None = None,
        as_multirun: bool = False,
    ) -> None:
        check_metric_name(metric_name, "WeightsAndBiasesCallback")
        self._metric_name = metric_name
        self._wandb_kwargs = dict(wandb_kwargs or {})
        self._as_multirun = as_multirun
        self._tracked = False  # whether an objective was decorated with track_in_wandb (and may log itself)
        self._init_state()
        if not as_multirun:
            self._start_run()

    # A worker process starts its own run at its first trial.
    _PROCESS_LOCAL = ("_lock", "_trial_runs", "_logged_runs")

    def _init_state(self) -> None:
        self._lock = threading.Lock()
        self._trial_runs: dict[int, Any] = {}  # trial number -> run that track_in_wandb opened for it
        self._logged_runs: list[tuple[Any, int]] = []  # (run, the last step this callback logged to it)

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        """Log ``trial``'s parameters and values (pruned and failed trials: parameters only)."""
        values = trial.values or []
        names = metric_names(self._metric_name, len(values), "WeightsAndBiasesCallback") if values else []
        row: dict[str, Any] = {**trial.params, **dict(zip(names, values, strict=True))}
        directions = [direction.name for direction in study.directions]
        with self._lock:
            if not self._as_multirun:
                run = wandb.run if wandb.run is not None else self._start_run()
                run.log(row, step=self._step(run, trial.number, row))
                run.config.update({"direction": directions})
                return
            run = self._trial_runs.pop(trial.number, None) or wandb.run
            created = run is None
            if run is None:
                run = self._start_run(trial.number)
            row["trial_number"] = trial.number
            # A run made for this row starts at step 0; a run the objective used may be further along.
            run.log(row, step=None if created else self._step(run, trial.number, row))
            run.config.update({"direction": directions, **trial.params})
            run.tags = (*self._wandb_kwargs.get("tags", ()), study.study_name)
            run.finish()
            self._forget(run)

    def track_in_wandb(self) -> Callable[[Callable[[Trial], Any]], Callable[[Trial], Any]]:
        """Decorate an objective so that its own ``wandb.log`` calls go to the trial's run.

        With ``as_multirun=True`` a run is started for the trial before the objective runs (W&B's active run,
        ``wandb.run``), and the callback finishes it. Use ``n_jobs=1`` then: W&B has one active run per process.

        Returns:
            A decorator for objectives.

        Raises:
            InvalidArgumentError: (from the decorated objective) With ``as_multirun=True``, when another trial's
                run is still open in this process.
        """

        self._tracked = True

        def decorator(func: Callable[[Trial], Any]) -> Callable[[Trial], Any]:
            @functools.wraps(func)
            def objective(trial: Trial) -> Any:
                with self._lock:
                    if self._as_multirun and self._trial_runs:
                        raise InvalidArgumentError(
                            "WeightsAndBiasesCallback(as_multirun=True).track_in_wandb() runs one trial at a time: "
                            f"trial {next(iter(self._trial_runs))}'s run is still open and W&B has one active run "
                            "per process. Use n_jobs=1, or processes (one W&B run each)."
                        )
                    run = wandb.run if wandb.run is not None else self._start_run(trial.number)
                    if self._as_multirun:
                        self._trial_runs[trial.number] = run
                return func(trial)

            return objective

        return decorator

    def _start_run(self, trial_number: int | None = None) -> Any:
        run = wandb.init(**self._wandb_kwargs)
        if trial_number is not None:
            run.name = f"trial/{trial_number}/{run.name}"
        return run

    def _step(self, run: Any, number: int, row: dict[str, Any]) -> int:
        """``number`` when W&B would keep a row there; otherwise the next free step (the row then names its
        trial), since W&B drops rows logged below its current step."""
        last = next((step for seen, step in self._logged_runs if seen is run), None)
        # Reading run.step is a round trip to W&B's service: only needed when objectives log to the run too.
        current = getattr(run, "step", None) if self._tracked else None
        floors = [step for step in (last, current) if isinstance(step, int)]
        floor = max(floors) if floors else None
        if floor is None or number > floor or (number == floor and last is None):
            step = number
        else:
            row["trial_number"] = number
            step = floor + 1
        self._forget(run)
        self._logged_runs.append((run, step))
        return step

    def _forget(self, run: Any) -> None:
        self._logged_runs = [(seen, step) for seen, step in self._logged_runs if seen is not run]
