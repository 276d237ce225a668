"""Ending a trial: validate what the objective returned, store the final state in one write, log it."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from albacore.exceptions import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    TrialAlreadyFinishedError,
    UpdateFinishedTrialError,
)
from albacore.logging import _write_to_default_handler, get_logger
from albacore.trial._constraints import is_feasible
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState
from albacore.trial._trial import Trial

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["tell", "tell_and_start_next"]

_logger = get_logger(__name__)

# Read once: on Python 3.11 each ``TrialState.X`` goes through the enum metaclass's ``__getattr__`` hook, several
# times the cost of a plain attribute, and every trial's end compares states several times.
_WAITING, _COMPLETE, _PRUNED, _FAIL = TrialState.WAITING, TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL


def _checked_values(values: Any, n_objectives: int) -> tuple[list[float] | None, str | None]:
    """Return (values, None) when acceptable, else (None, the reason they are not).

    Infinities are values (a diverged run is the worst result, and the sampler should learn it); NaN is not.
    """
    if type(values) is float and n_objectives == 1:  # the common case, decided without ABC checks
        if values == values:
            return [values], None
        return None, f"the objective returned {values}, which is not a number"
    if values is None:
        return None, "the objective returned None"
    if isinstance(values, numbers.Real):  # bool too: True is 1.0, as Optuna counts it
        seq: Sequence[Any] = [values]
    elif isinstance(values, Sequence) and not isinstance(values, str):
        seq = values
    elif hasattr(values, "__float__") and not isinstance(values, str):
        seq = [values]  # numpy and torch scalars
    elif hasattr(values, "tolist"):
        seq = values.tolist()
    else:
        return None, f"the objective returned {values!r} of type {type(values).__name__}, not a float"
    try:
        floats = [float(v) for v in seq]
    except (TypeError, ValueError):
        return None, f"the objective returned {values!r}, which is not a float or a sequence of floats"
    if len(floats) != n_objectives:
        return None, f"the study has {n_objectives} objective(s) but the objective returned {len(floats)} value(s)"
    if any(math.isnan(v) for v in floats):
        return None, f"the objective returned {floats}, and NaN is not a number"
    return floats, None


def tell(
    study: Study,
    trial: Trial | int,
    values: float | Sequence[float] | None = None,
    state: TrialState | None = None,
    skip_if_finished: bool = False,
    *,
    failure_reason: str | None = None,
) -> FrozenTrial:
    """Finish ``trial`` with ``state`` and ``values``; see ``Study.tell``."""
    return tell_and_start_next(study, trial, values, state, skip_if_finished, failure_reason=failure_reason, warn=True)[
        0
    ]


def tell_and_start_next(
    study: Study,
    trial: Trial | int,
    values: float | Sequence[float] | None = None,
    state: TrialState | None = None,
    skip_if_finished: bool = False,
    *,
    failure_reason: str | None = None,
    start_next: Callable[[], bool] | None = None,
    warn: bool = False,
) -> tuple[FrozenTrial, int | None]:
    """``tell``, which also starts the study's next trial in the same storage write when ``start_next()``
    (asked just before that write) says the caller will run one; return the finished trial and the new
    trial's id (None when no trial was started; see ``BaseStorage._end_trial_and_start_next``). Only
    ``optimize`` passes ``start_next``, and waits for ``BaseStorage._wait_until_flushed`` before it returns: that
    write may reach the disk while the next trial runs.

    Values that make the trial FAIL are reported with a UserWarning when ``warn`` (the public ``tell``), else
    in the log (``optimize``, which logs every trial's end)."""
    storage = study._storage
    if type(trial) is Trial or isinstance(trial, Trial):
        handle: Trial | None = trial
        trial_id = trial._trial_id
    elif isinstance(trial, numbers.Integral) and not isinstance(trial, bool):
        try:
            trial_id = storage.get_trial_id_from_study_id_trial_number(study._study_id, int(trial))
        except KeyError:
            raise InvalidArgumentError(
                f"The study has no trial #{trial}: tell() takes a trial returned by ask(), or its number."
            ) from None
        handle = study._asked.get(trial_id)
    else:
        raise InvalidArgumentTypeError(
            f"`trial` must be a Trial or a trial number, got {trial!r} of type {type(trial).__name__}."
        )
    if state is not None:
        _check_state(state, values)

    if handle is None or handle._finished:
        stored = storage.get_trial(trial_id)
        if stored.state.is_finished():
            if skip_if_finished:
                _logger.info(f"Trial #{stored.number} is already finished ({stored.state.name}); tell() skipped it.")
                return stored, None
            raise _already_finished(stored)
        if stored.state == _WAITING:
            raise InvalidArgumentError(
                f"Trial #{stored.number} is WAITING (enqueued, not asked for yet); only a running trial can be told."
            )
        running = stored
    else:
        running = handle._frozen_view or handle._as_frozen()  # the trial's view, usually made already

    final_values: list[float] | None = None
    reason = failure_reason
    if state == _PRUNED:
        last = running.last_step
        if last is not None and not math.isnan(running.intermediate_values[last]):
            final_values = [running.intermediate_values[last]]
    elif state != _FAIL:
        final_values, reason = _checked_values(values, len(study._directions))
        if final_values is None and state == _COMPLETE:
            raise InvalidArgumentError(f"tell() with state=COMPLETE needs valid values, but {reason}.")
        state = _COMPLETE if final_values is not None else _FAIL
        if final_values is None and warn:
            warnings.warn(f"Trial {running.number} is marked FAIL because {reason}.", UserWarning, stacklevel=5)
            reason = None  # said once, as a warning, rather than in the log as well
    assert state is not None

    sampler_study = handle._sampler_study if handle is not None else study.pruner._study_for_sampler(study, running)
    hook_error: Exception | None = None
    try:
        study.sampler.after_trial(sampler_study, running, state, final_values)
    except Exception as err:  # noqa: BLE001 - re-raised below, once the trial is stored
        # The trial still ends as told (so does Optuna's), with its parameters: a failing sampler hook must not
        # leave it RUNNING. The error reaches the caller once the trial is stored.
        hook_error = err
    pending = handle._take_pending() if handle is not None else None
    started = None
    try:
        if hook_error is None and start_next is not None and start_next():
            started = storage._end_trial_and_start_next_flushed_later(trial_id, state, final_values, pending)
        else:
            storage.set_trial_state_values(trial_id, state, final_values, params=pending)
    except UpdateFinishedTrialError as err:
        study._asked.pop(trial_id, None)
        if handle is not None:
            handle._stop_heartbeat()
            handle._finished = True
        if skip_if_finished:
            return storage.get_trial(trial_id), None
        raise _already_finished(storage.get_trial(trial_id)) from err
    if handle is not None:
        if handle._heartbeat is not None:
            handle._stop_heartbeat()
        handle._finished = True
        study._asked.pop(trial_id, None)
    frozen = storage.get_trial(trial_id)
    _log_finished(study, frozen, reason)
    if hook_error is not None:
        raise hook_error
    return frozen, started


def _check_state(state: TrialState, values: object) -> None:
    if state == _COMPLETE:
        return
    if state not in (_PRUNED, _FAIL):
        raise InvalidArgumentError(f"`state` must be COMPLETE, PRUNED or FAIL, got {state!r}.")
    if values is not None:
        raise InvalidArgumentError(
            f"A trial told with state={state.name} has no values, got {values!r}; pass values only with COMPLETE."
        )


def _already_finished(stored: FrozenTrial) -> TrialAlreadyFinishedError:
    return TrialAlreadyFinishedError(
        f"Trial #{stored.number} is already finished ({stored.state.name}); pass skip_if_finished=True "
        "to ignore repeated tell() calls."
    )


def _log_finished(study: Study, frozen: FrozenTrial, reason: str | None) -> None:
    if frozen.state == _FAIL:
        if reason is not None:
            _logger.warning(f"Trial {frozen.number} failed with parameters: {frozen.params} because {reason}.")
    elif _logger.isEnabledFor(20):
        text = _finished_text(study, frozen)
        if not _write_to_default_handler(_logger, 20, text):  # the usual case: no one else sees the record
            _logger.info(text)


def _finished_text(study: Study, frozen: FrozenTrial) -> str:
    """The log line of a COMPLETE or PRUNED trial."""
    if frozen.state == _PRUNED:
        return f"Trial {frozen.number} pruned."
    if len(study._directions) > 1:
        return f"Trial {frozen.number} finished with values: {frozen.values} and parameters: {frozen.params}."
    # The fields rather than the properties, and repr() where it is str() (a float, a plain dict): the same text
    # without a property call or a __format__ lookup each. Any other kind of value is written with str(), as before.
    values = frozen._values
    value = None if values is None else values[0]
    value_text = repr(value) if type(value) is float else str(value)
    params = frozen._params
    params_text = repr(params) if type(params) is dict else str(params)
    text = f"Trial {frozen._number} finished with value: {value_text} and parameters: {params_text}."
    try:
        # As far as this client knows: a storage that replays need not read the others' writes for a message.
        best = study._storage._known_best_trial(study._study_id)
        if not is_feasible(best.system_attrs):
            best = study.best_trial
    except ValueError:
        return text
    # The fields: the study has one objective and this trial is its best, so it has one value.
    number, value = best._number, best._values[0]  # type: ignore[index]
    # The best trial changes rarely: its text (a float written out costs thousands of instructions) is kept with
    # the number and the very float object it was written from, so that another value never reuses it.
    kept_number, kept_value, kept_text = study._best_log_text
    if kept_number != number or kept_value is not value:
        kept_text = f" Best is trial {number} with value: {value}."
        study._best_log_text = (number, value, kept_text)
    return text + kept_text
