"""Reading Optuna's journals: a file of JSON lines, or the same records kept in Redis, replayed into studies.

Each record is a JSON object with an ``op_code`` and the fields of one storage call::

    0 create study (study_name, directions)     1 delete study (study_id)
    2 / 3 set a study's user / system attribute (study_id, user_attr | system_attr: {key: value})
    4 create trial (study_id, datetime_start, and for a copied trial: state, value | values, datetime_complete,
      params (internal values), distributions, user_attrs, system_attrs, intermediate_values)
    5 set a parameter (trial_id, param_name, param_value_internal, distribution)
    6 set state and values (trial_id, state, values, datetime_start | datetime_complete)
    7 intermediate value (trial_id, step, intermediate_value)
    8 / 9 set a trial's user / system attribute (trial_id, user_attr | system_attr)
    10 discard trials (written by other implementations of the format; nothing to do)

Study ids count the accepted study creations, trial ids the accepted trial creations, over the whole journal.
A record that its writer saw fail (a duplicate study name, a write to a finished trial, a parameter whose kind
of distribution differs from the study's earlier use, a claim of a trial already running) changed nothing,
and replaying it changes nothing either. Datetimes are ISO texts: with a UTC offset from Optuna 5 on,
naive local time before. Redis keeps record ``n`` under ``<prefix>:log:<n>`` and the last number under
``<prefix>:log_number``. Snapshots, which Optuna pickles, are never read: the records are the truth.
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from albacore._study_records import StudyDirection
from albacore.distributions import BaseDistribution, check_distribution_compatibility, json_to_distribution
from albacore.exceptions import IncompatibleDistributionError, StorageCorruptedError
from albacore.storages._optuna._records import SourceStudy, as_epoch_aware
from albacore.trial import FrozenTrial, TrialState

__all__ = ["OptunaJournalReader", "looks_like_optuna_journal", "read_journal_file", "read_redis_journal"]

_CREATE_STUDY, _DELETE_STUDY, _STUDY_USER, _STUDY_SYSTEM = 0, 1, 2, 3
_CREATE_TRIAL, _PARAM, _STATE, _STEP, _TRIAL_USER, _TRIAL_SYSTEM, _DISCARD = 4, 5, 6, 7, 8, 9, 10


def looks_like_optuna_journal(first_line: bytes) -> bool:
    """Whether ``first_line`` is a record of an Optuna journal."""
    try:
        record = json.loads(first_line)
    except ValueError:
        return False
    return isinstance(record, dict) and "op_code" in record and "worker_id" in record


def read_journal_file(path: str) -> Iterator[dict[str, Any]]:
    """The records of an Optuna journal file; a torn last line (a writer died mid-append) is left out.

    Raises:
        StorageCorruptedError: A line before the last is not a JSON record.
    """
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    # The text after the last newline is empty, or a record whose writer was interrupted.
    complete = lines[:-1]
    for number, line in enumerate(complete):
        try:
            yield json.loads(line)
        except ValueError as err:
            if number == len(complete) - 1:
                return  # a torn last record: Optuna skips it too
            raise StorageCorruptedError(
                f"Line {number + 1} of the Optuna journal {path} is not a JSON record ({err}); the journal is "
                "damaged before its end, so it cannot be read safely."
            ) from err


def read_redis_journal(client: Any, prefix: str) -> Iterator[dict[str, Any]]:
    """The records of an Optuna journal kept in Redis under ``prefix``, read in batches."""
    last = client.get(f"{prefix}:log_number")
    if last is None:
        return
    count = int(last) + 1
    batch = 1000
    for start in range(0, count, batch):
        numbers = range(start, min(count, start + batch))
        for number, raw in zip(numbers, client.mget([f"{prefix}:log:{n}" for n in numbers]), strict=True):
            if raw is None:
                raise StorageCorruptedError(
                    f"The Redis journal {prefix!r} has no record #{number} of {count}; a writer died between "
                    "numbering a record and storing it. Nothing after it can be replayed safely."
                )
            try:
                yield json.loads(raw)
            except ValueError as err:
                if number == count - 1:
                    return
                raise StorageCorruptedError(
                    f"Record #{number} of the Redis journal {prefix!r} is not JSON ({err})."
                ) from err


class _Study:
    __slots__ = ("directions", "kinds", "name", "system_attrs", "trial_ids", "user_attrs")

    def __init__(self, name: str, directions: list[StudyDirection]) -> None:
        self.name = name
        self.directions = directions
        self.user_attrs: dict[str, Any] = {}
        self.system_attrs: dict[str, Any] = {}
        self.trial_ids: list[int] = []
        # One accepted distribution per parameter name: every accepted use is compatible with it, so it
        # decides like the earliest trial's that Optuna compares with.
        self.kinds: dict[str, BaseDistribution] = {}


class _Trial:
    __slots__ = (
        "complete",
        "distributions",
        "internal",
        "number",
        "start",
        "state",
        "steps",
        "study_id",
        "system_attrs",
        "user_attrs",
        "values",
    )

    def __init__(self, study_id: int, number: int) -> None:
        self.study_id = study_id
        self.number = number
        self.state = TrialState.RUNNING
        self.values: list[float] | None = None
        self.start: datetime.datetime | None = None
        self.complete: datetime.datetime | None = None
        self.internal: dict[str, float] = {}
        self.distributions: dict[str, BaseDistribution] = {}
        self.user_attrs: dict[str, Any] = {}
        self.system_attrs: dict[str, Any] = {}
        self.steps: dict[int, float] = {}


def _moment(text: str | None) -> datetime.datetime | None:
    return None if text is None else datetime.datetime.fromisoformat(text)


def _direction(value: Any) -> StudyDirection:
    # Optuna's directions: 0 not set (meaning minimize), 1 minimize, 2 maximize.
    return StudyDirection.MAXIMIZE if int(value) == 2 else StudyDirection.MINIMIZE


def _floats(values: Any) -> list[float] | None:
    return None if values is None else [math.nan if v is None else float(v) for v in values]


class OptunaJournalReader:
    """Replays the records of an Optuna journal into studies.

    Args:
        records: The journal's records, in order.
        naive_timezone: The time zone of naive datetimes (journals of older Optuna releases); None is this
            machine's local time.
    """

    def __init__(self, records: Iterable[dict[str, Any]], naive_timezone: datetime.tzinfo | None = None) -> None:
        self.naive_timezone = naive_timezone
        self._studies: dict[int, _Study] = {}
        self._trials: list[_Trial] = []
        self._next_study_id = 0
        self._dists: dict[str, BaseDistribution] = {}
        handlers: dict[Any, Callable[[dict[str, Any]], None]] = {
            _CREATE_STUDY: self._create_study,
            _DELETE_STUDY: self._delete_study,
            _STUDY_USER: lambda r: self._study_attr(r, "user_attr"),
            _STUDY_SYSTEM: lambda r: self._study_attr(r, "system_attr"),
            _CREATE_TRIAL: self._create_trial,
            _PARAM: self._param,
            _STATE: self._state,
            _STEP: self._step,
            _TRIAL_USER: lambda r: self._trial_attr(r, "user_attr"),
            _TRIAL_SYSTEM: lambda r: self._trial_attr(r, "system_attr"),
            _DISCARD: lambda r: None,
        }
        for number, record in enumerate(records):
            handler = handlers.get(record.get("op_code")) if isinstance(record, dict) else None
            if handler is None:
                raise StorageCorruptedError(
                    f"Record #{number} of the Optuna journal is not an operation albacore knows: {record!r}."
                )
            try:
                handler(record)
            except (KeyError, TypeError, ValueError) as err:
                raise StorageCorruptedError(
                    f"Record #{number} of the Optuna journal is malformed ({err!r}): {record!r}."
                ) from err

    # --- replay ---------------------------------------------------------------------------------------------

    def _distribution(self, text: str) -> BaseDistribution:
        """Parse each distinct distribution text once; trials share the (immutable) object."""
        dist = self._dists.get(text)
        if dist is None:
            dist = self._dists[text] = json_to_distribution(text)
        return dist

    def _create_study(self, record: dict[str, Any]) -> None:
        name = record["study_name"]
        if any(study.name == name for study in self._studies.values()):
            return
        self._studies[self._next_study_id] = _Study(name, [_direction(d) for d in record["directions"]])
        self._next_study_id += 1

    def _delete_study(self, record: dict[str, Any]) -> None:
        self._studies.pop(record["study_id"], None)

    def _study_attr(self, record: dict[str, Any], field: str) -> None:
        study = self._studies.get(record["study_id"])
        if study is not None:
            getattr(study, field + "s").update(record[field])

    def _create_trial(self, record: dict[str, Any]) -> None:
        study = self._studies.get(record["study_id"])
        if study is None:
            return
        trial = _Trial(record["study_id"], len(study.trial_ids))
        trial.start = _moment(record.get("datetime_start"))
        if "state" in record:  # a copied or enqueued trial comes whole
            trial.state = TrialState(record["state"])
            values = record.get("values")
            if values is None and record.get("value") is not None:
                values = [record["value"]]
            trial.values = _floats(values)
            trial.complete = _moment(record.get("datetime_complete"))
            trial.distributions = {k: self._distribution(v) for k, v in record.get("distributions", {}).items()}
            for param_name, dist in trial.distributions.items():
                study.kinds.setdefault(param_name, dist)
            trial.internal = {k: float(v) for k, v in record.get("params", {}).items()}
            trial.user_attrs = dict(record.get("user_attrs", {}))
            trial.system_attrs = dict(record.get("system_attrs", {}))
            trial.steps = {
                int(k): math.nan if v is None else float(v) for k, v in record.get("intermediate_values", {}).items()
            }
        study.trial_ids.append(len(self._trials))
        self._trials.append(trial)

    def _open_trial(self, trial_id: int) -> _Trial | None:
        """The trial, if it exists, belongs to a live study and may still change."""
        if not 0 <= trial_id < len(self._trials):
            return None
        trial = self._trials[trial_id]
        return None if trial.state.is_finished() else trial

    def _param(self, record: dict[str, Any]) -> None:
        trial = self._open_trial(record["trial_id"])
        if trial is None:
            return
        name = record["param_name"]
        dist = self._distribution(record["distribution"])
        study = self._studies.get(trial.study_id)
        if study is not None:
            earlier = study.kinds.get(name)
            if earlier is None:
                study.kinds[name] = dist
            elif earlier is not dist:
                try:
                    check_distribution_compatibility(earlier, dist)
                except IncompatibleDistributionError:
                    return  # its writer was told so, and Optuna drops the record on replay
        trial.internal[name] = float(record["param_value_internal"])
        trial.distributions[name] = dist

    def _state(self, record: dict[str, Any]) -> None:
        trial = self._open_trial(record["trial_id"])
        if trial is None:
            return
        state = TrialState(record["state"])
        if state == TrialState.RUNNING:
            if trial.state == TrialState.RUNNING:
                return  # another worker claimed this waiting trial first
            trial.start = _moment(record.get("datetime_start"))
        if state.is_finished():
            trial.complete = _moment(record.get("datetime_complete"))
        trial.state = state
        if record.get("values") is not None:
            trial.values = _floats(record["values"])

    def _step(self, record: dict[str, Any]) -> None:
        trial = self._open_trial(record["trial_id"])
        if trial is not None:
            value = record["intermediate_value"]
            trial.steps[int(record["step"])] = math.nan if value is None else float(value)

    def _trial_attr(self, record: dict[str, Any], field: str) -> None:
        trial = self._open_trial(record["trial_id"])
        if trial is not None:
            getattr(trial, field + "s").update(record[field])

    # --- results --------------------------------------------------------------------------------------------

    def study_names(self) -> list[str]:
        """The names of the studies that were not deleted, in creation order."""
        return [self._studies[i].name for i in sorted(self._studies)]

    def n_trials(self, name: str) -> int:
        """How many trials the study has."""
        return len(self._find(name).trial_ids)

    def _find(self, name: str) -> _Study:
        for study in self._studies.values():
            if study.name == name:
                return study
        raise KeyError(f"The Optuna journal has no study named {name!r}; it has {self.study_names()}.")

    def read_study(self, name: str) -> SourceStudy:
        """One study with every trial."""
        study = self._find(name)
        zone = self.naive_timezone
        trials = []
        for trial_id in study.trial_ids:
            t = self._trials[trial_id]
            trials.append(
                FrozenTrial(
                    t.number,
                    t.state,
                    None,
                    as_epoch_aware(t.start, zone),
                    as_epoch_aware(t.complete, zone),
                    {k: d.to_external_repr(t.internal[k]) for k, d in t.distributions.items()},
                    dict(t.distributions),
                    dict(t.user_attrs),
                    dict(t.system_attrs),
                    dict(t.steps),
                    trial_id,
                    values=t.values,
                )
            )
        return SourceStudy(study.name, list(study.directions), dict(study.user_attrs), dict(study.system_attrs), trials)
