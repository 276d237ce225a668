"""Writing studies read from another storage into any albacore storage, through the storage API alone.

A new study gets every trial as a template copy, in number order, so numbers, states, values, parameters,
intermediate values, attributes and datetimes all survive. An existing study is brought up to date: trials
that are new in the source are added, and trials that were still running or waiting when they were copied
get what the source has learnt since (parameters, reports, attributes, their final state and values). Their
completion time is then the time of the update: a storage gives no way to back-date a trial's end.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from albacore.exceptions import DuplicatedStudyError, InvalidArgumentError, StorageInternalError
from albacore.logging import get_logger
from albacore.storages._base import BaseStorage
from albacore.storages._optuna._records import SourceStudy
from albacore.trial import FrozenTrial, TrialState

__all__ = ["IMPORT_ATTR", "StudyOutcome", "write_study"]

_logger = get_logger(__name__)

IMPORT_ATTR = "albacore:imported_from"
"""Study system attribute of an imported study: ``{"source": URL, "complete": bool}``. A study whose import
was interrupted (``complete`` false) is finished by the next import instead of being skipped."""

_BATCH = 500  # trials per write: large enough to share a transaction's cost, small enough for a progress bar

_SAME_MOMENT_S = 1e-3  # datetimes are stored as microseconds or as double seconds: equal within a millisecond


class StudyOutcome(NamedTuple):
    """What writing one study did.

    Attributes:
        name: The study's name in the target storage.
        action: ``"imported"`` (new), ``"updated"``, ``"up to date"`` or ``"skipped"`` (imported before).
        trials_written: Trials created or changed.
        conflicts: Numbers of trials that differ between source and target and were left as the target has
            them (finished in the target, or written there by someone else).
    """

    name: str
    action: str
    trials_written: int
    conflicts: list[int]


def _same_float(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def _same_floats(a: list[float] | None, b: list[float] | None) -> bool:
    if a is None or b is None:
        return a is b
    return len(a) == len(b) and all(_same_float(x, y) for x, y in zip(a, b, strict=True))


def _same_steps(a: Mapping[int, float], b: Mapping[int, float]) -> bool:
    return a.keys() == b.keys() and all(_same_float(a[k], b[k]) for k in a)


def _same_moment(a: datetime.datetime | None, b: datetime.datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a.timestamp() - b.timestamp()) < _SAME_MOMENT_S


def same_trial(a: FrozenTrial, b: FrozenTrial, *, datetimes: bool = True) -> bool:
    """Whether two trials hold the same data (ids aside; NaN equals NaN; datetimes within a millisecond).

    With ``datetimes=False`` the datetimes are not compared: an update cannot back-date them.
    """
    if datetimes and not (
        _same_moment(a.datetime_start, b.datetime_start) and _same_moment(a.datetime_complete, b.datetime_complete)
    ):
        return False
    return (
        a.number == b.number
        and a.state == b.state
        and _same_floats(a.values, b.values)
        and a.params == b.params
        and a.distributions == b.distributions
        and a.user_attrs == b.user_attrs
        and a.system_attrs == b.system_attrs
        and _same_steps(a.intermediate_values, b.intermediate_values)
    )


def _can_advance(ours: FrozenTrial, theirs: FrozenTrial) -> bool:
    """Whether ``theirs`` continues ``ours``: a later state, and nothing of ours contradicted."""
    if ours.state.is_finished():
        return False
    if ours.state == TrialState.RUNNING and theirs.state == TrialState.WAITING:
        return False
    for name, value in ours.params.items():
        if name not in theirs.params or theirs.params[name] != value:
            return False
    return all(_same_float(v, theirs.intermediate_values.get(s, math.nan)) for s, v in ours.intermediate_values.items())


def _advance(storage: BaseStorage, ours: FrozenTrial, theirs: FrozenTrial) -> None:
    """Write into ``ours`` (unfinished) what ``theirs`` has in addition, ending with its state."""
    trial_id = ours._trial_id
    new_params = {
        name: (dist.to_internal_repr(theirs.params[name]), dist)
        for name, dist in theirs.distributions.items()
        if name not in ours.params
    }
    if new_params:
        storage.set_trial_params(trial_id, new_params)
    for step, value in theirs.intermediate_values.items():
        if step not in ours.intermediate_values:
            storage.set_trial_intermediate_value(trial_id, step, value)
    for key, value in theirs.user_attrs.items():
        if ours.user_attrs.get(key, _MISSING) != value:
            storage.set_trial_user_attr(trial_id, key, value)
    for key, value in theirs.system_attrs.items():
        if ours.system_attrs.get(key, _MISSING) != value:
            storage.set_trial_system_attr(trial_id, key, value)
    if theirs.state != ours.state:
        storage.set_trial_state_values(trial_id, theirs.state, theirs.values)


_MISSING = object()


def _copy_study_attrs(storage: BaseStorage, study_id: int, study: SourceStudy, old: Mapping[str, Any] | None) -> None:
    have_user = {} if old is None else storage.get_study_user_attrs(study_id)
    for key, value in study.system_attrs.items():
        if old is None or old.get(key, _MISSING) != value:
            storage.set_study_system_attr(study_id, key, value)
    for key, value in study.user_attrs.items():
        if have_user.get(key, _MISSING) != value:
            storage.set_study_user_attr(study_id, key, value)


def _check_numbers(study: SourceStudy) -> None:
    numbers = [t.number for t in study.trials]
    if numbers != list(range(len(numbers))):
        _logger.warning(
            f"The trials of study {study.name!r} are not numbered 0 to {len(numbers) - 1} in the source; they are "
            "numbered in that order in the target."
        )


def _create(
    storage: BaseStorage, study_id: int, name: str, trials: Sequence[FrozenTrial], tick: Callable[[], None]
) -> None:
    """Add copies of ``trials`` in batches: one transaction or journal append each, where the storage can."""
    for start in range(0, len(trials), _BATCH):
        batch = trials[start : start + _BATCH]
        try:
            storage._create_trials(study_id, batch)
        except StorageInternalError as err:
            raise StorageInternalError(
                f"The target storage could not store trials #{batch[0].number} to #{batch[-1].number} of study "
                f"{name!r}: {err}"
            ) from err
        for _ in batch:
            tick()


def write_study(
    storage: BaseStorage,
    study: SourceStudy,
    *,
    name: str | None = None,
    source: str | None = None,
    update: bool = False,
    on_trial: Callable[[], None] | None = None,
) -> StudyOutcome:
    """Write ``study`` into ``storage``: create it with every trial, or bring an imported copy up to date.

    Args:
        storage: The target storage.
        study: The study to write.
        name: Its name in the target (default: its own).
        source: Where it comes from, recorded in the study system attribute ``IMPORT_ATTR`` so that a later
            import finds it; None (``copy_study``) records nothing and requires a new study.
        update: Bring a study imported before up to date instead of skipping it.
        on_trial: Called once per source trial handled (for a progress bar).

    Raises:
        DuplicatedStudyError: The target has a study of that name that no import made.
        InvalidArgumentError: The imported copy has other directions than the source.
    """
    target_name = study.name if name is None else name
    tick = on_trial or (lambda: None)
    _check_numbers(study)
    try:
        study_id = storage.create_new_study(study.directions, target_name)
    except DuplicatedStudyError:
        if source is None:
            raise
        return _update(storage, study, target_name, source, update, tick)
    if source is not None:
        storage.set_study_system_attr(study_id, IMPORT_ATTR, {"source": source, "complete": False})
    _copy_study_attrs(storage, study_id, study, None)
    _create(storage, study_id, target_name, study.trials, tick)
    if source is not None:
        storage.set_study_system_attr(study_id, IMPORT_ATTR, {"source": source, "complete": True})
    return StudyOutcome(target_name, "imported", len(study.trials), [])


def _update(
    storage: BaseStorage, study: SourceStudy, name: str, source: str, update: bool, tick: Callable[[], None]
) -> StudyOutcome:
    study_id = storage.get_study_id_from_name(name)
    system_attrs = storage.get_study_system_attrs(study_id)
    marker = system_attrs.get(IMPORT_ATTR)
    if not isinstance(marker, dict):
        raise DuplicatedStudyError(
            f"The target storage already has a study named {name!r} that no import made; it is left alone. "
            "Import into another storage, or delete that study first."
        )
    if marker.get("complete") and not update:
        for _ in study.trials:
            tick()
        return StudyOutcome(name, "skipped", 0, [])
    directions = storage.get_study_directions(study_id)
    if list(directions) != list(study.directions):
        raise InvalidArgumentError(
            f"Study {name!r} has directions {[d.name for d in study.directions]} in the source but "
            f"{[d.name for d in directions]} in the target; it cannot be brought up to date."
        )
    _copy_study_attrs(storage, study_id, study, system_attrs)
    existing = storage.get_all_trials(study_id, deepcopy=False)
    written = 0
    conflicts = []
    added: list[FrozenTrial] = []
    for trial in study.trials:
        if trial.number < len(existing):
            ours = existing[trial.number]
            if same_trial(ours, trial, datetimes=False):
                pass
            elif _can_advance(ours, trial):
                _advance(storage, ours, trial)
                written += 1
            else:
                conflicts.append(trial.number)
            tick()
        else:
            added.append(trial)
    _create(storage, study_id, name, added, tick)
    written += len(added)
    if conflicts:
        _logger.warning(
            f"Study {name!r}: trials {conflicts} differ between the source and the target, where they are finished "
            "or were changed by another writer; they were left as the target has them."
        )
    storage.set_study_system_attr(study_id, IMPORT_ATTR, {"source": source, "complete": True})
    action = "updated" if written or not marker.get("complete") else "up to date"
    return StudyOutcome(name, action, written, conflicts)
