"""How journal records become state: the record format, and the rules every client replays it with.

JournalStorage (``_storage``) turns each write into a record and appends it; the methods here turn a record
back into a change of the replayed :class:`~albacore.storages.InMemoryStorage`, and encode what records carry
(distributions as compact JSON, template trials, attribute values as JSON gives them back), so that every
client, the writer included, ends up with the same state.

Operations (``"op"`` field) and their fields; adding one (a heartbeat, say) means one more handler here::

    create_study         name, directions
    delete_study         study
    study_user_attr      study, key, value          (study_system_attr alike)
    study_system_attr_cas  study, key, expected, value   (applies only where the attribute equals expected)
    create_trial         study, time [, trial: a template trial]
    set_params           trial, params: {name: [internal value, distribution JSON]}
    set_state            trial, state, values, time [, params]
    end_and_start        trial, state, values, time [, params]   (ends a trial, starts the next unless one waits)
    fail_stale           study, trial, retry (a template trial or null), time
    intermediate         trial, step, value
    trial_user_attr      trial, key, value          (trial_system_attr alike)
    heartbeat            trial, time                (kept as the trial's heartbeat system attribute)
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

from albacore._study_records import StudyDirection
from albacore.distributions import BaseDistribution, json_to_distribution
from albacore.exceptions import InvalidArgumentError
from albacore.storages._heartbeat import HEARTBEAT_ATTR
from albacore.storages._in_memory import InMemoryStorage
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

__all__ = ["JournalReplay"]

_STATES = list(TrialState)
_DIRECTIONS = list(StudyDirection)
_DIST_CACHE_SIZE = 4096  # distinct distribution objects whose JSON is remembered


class JournalReplay:
    """The record rules of :class:`~albacore.storages.JournalStorage`, which derives from this class."""

    _state: InMemoryStorage
    _dists: dict[str, BaseDistribution]  # distribution JSON -> the object replay uses
    _dist_jsons: dict[int, tuple[BaseDistribution, str]]  # by id(); keeps the object alive

    def _replay_handlers(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        """The function that applies each operation to the replayed state, by name."""
        return {
            "create_study": self._apply_create_study,
            "delete_study": lambda op: self._state.delete_study(op["study"]),
            "study_user_attr": lambda op: self._state.set_study_user_attr(op["study"], op["key"], op["value"]),
            "study_system_attr": lambda op: self._state.set_study_system_attr(op["study"], op["key"], op["value"]),
            "study_system_attr_cas": lambda op: self._state.compare_and_set_study_system_attr(
                op["study"], op["key"], op["expected"], op["value"]
            ),
            "create_trial": self._apply_create_trial,
            "set_params": lambda op: self._state.set_trial_params(op["trial"], self._params_of(op["params"])),
            "set_state": self._apply_set_state,
            "end_and_start": self._apply_end_and_start,
            "fail_stale": self._apply_fail_stale,
            "intermediate": lambda op: self._state.set_trial_intermediate_value(op["trial"], op["step"], op["value"]),
            "trial_user_attr": lambda op: self._state.set_trial_user_attr(op["trial"], op["key"], op["value"]),
            "trial_system_attr": lambda op: self._state.set_trial_system_attr(op["trial"], op["key"], op["value"]),
            "heartbeat": lambda op: self._state.set_trial_system_attr(op["trial"], HEARTBEAT_ATTR, op["time"]),
        }

    def _distribution(self, dist_json: str) -> BaseDistribution:
        dist = self._dists.get(dist_json)
        if dist is None:
            dist = self._dists[dist_json] = json_to_distribution(dist_json)
        return dist

    def _dist_json(self, dist: BaseDistribution) -> str:
        """Return the JSON of ``dist`` (compact), encoding each distribution object once.

        The suggest caches hand out the same object for the same arguments, so caching by identity is exact
        and skips both the encoding and, below, the compatibility check against the replayed state.
        """
        entry = self._dist_jsons.get(id(dist))
        if entry is not None and entry[0] is dist:
            return entry[1]
        if len(self._dist_jsons) >= _DIST_CACHE_SIZE:
            self._dist_jsons.clear()
        text = json.dumps({"name": type(dist).__name__, "attributes": dist._asdict()}, separators=(",", ":"))
        self._dist_jsons[id(dist)] = (dist, text)
        # Replaying this text gives back this very object (the same JSON means the same attributes), so the
        # replayed state holds the objects the trials suggest with and checks them by identity.
        self._dists[text] = dist
        return text

    def _params_of(self, params: dict[str, list[Any]]) -> dict[str, tuple[float, BaseDistribution]]:
        return {name: (internal, self._distribution(dist)) for name, (internal, dist) in params.items()}

    def _apply_create_study(self, op: dict[str, Any]) -> int:
        return self._state.create_new_study([_DIRECTIONS[d] for d in op["directions"]], op["name"])

    def _apply_create_trial(self, op: dict[str, Any]) -> int:
        template = op.get("trial")
        if template is None:
            trial_id = self._state.create_new_trial(op["study"])
            self._retime(trial_id, datetime_start=datetime.datetime.fromtimestamp(op["time"]))
            return trial_id
        return self._state.create_new_trial(op["study"], template_trial=self._trial_of(template))

    def _apply_fail_stale(self, op: dict[str, Any]) -> int | None:
        retry = None if op["retry"] is None else self._trial_of(op["retry"])
        retry_id = self._state.fail_stale_trial(op["study"], op["trial"], retry)
        self._retime(op["trial"], datetime_complete=datetime.datetime.fromtimestamp(op["time"]))
        return retry_id

    def _trial_of(self, template: dict[str, Any]) -> FrozenTrial:
        """The trial a template record describes (see ``_template``); its number and id are set when added."""
        start, complete = template["start"], template["complete"]
        params = self._params_of(template["params"])
        return FrozenTrial(
            -1,
            _STATES[template["state"]],
            None,
            None if start is None else datetime.datetime.fromtimestamp(start),
            None if complete is None else datetime.datetime.fromtimestamp(complete),
            {name: dist.to_external_repr(internal) for name, (internal, dist) in params.items()},
            {name: dist for name, (_, dist) in params.items()},
            template["user_attrs"],
            template["system_attrs"],
            dict(template["intermediate"]),
            -1,
            values=template["values"],
        )

    def _apply_set_state(self, op: dict[str, Any]) -> bool:
        state = _STATES[op["state"]]
        params = op.get("params")
        trial_id = op["trial"]
        if state == TrialState.RUNNING and self._state.get_trial(trial_id).state != TrialState.WAITING:
            return False  # a claim that lost the race (even to a claim already finished): False, not an error
        done = self._state.set_trial_state_values(
            trial_id, state, op["values"], params=None if params is None else self._params_of(params)
        )
        if done:
            stamp = datetime.datetime.fromtimestamp(op["time"])
            if state == TrialState.RUNNING:
                self._retime(trial_id, datetime_start=stamp)
            elif state.is_finished():
                self._retime(trial_id, datetime_complete=stamp)
        return done

    def _apply_end_and_start(self, op: dict[str, Any]) -> int | None:
        # One record, so that every replica starts the next trial exactly when the end succeeded and the study
        # had no WAITING trial at that point of the journal.
        params = op.get("params")
        started = self._state._end_trial_and_start_next(
            op["trial"], _STATES[op["state"]], op["values"], None if params is None else self._params_of(params)
        )
        stamp = datetime.datetime.fromtimestamp(op["time"])
        self._retime(op["trial"], datetime_complete=stamp)
        if started is not None:
            self._retime(started, datetime_start=stamp)
        return started

    def _retime(self, trial_id: int, **stamps: datetime.datetime) -> None:
        # The in-memory rules stamp trials with this process's clock; every replica must use the writer's. The
        # trial was just created or copied by the in-memory rules and not handed out yet: set it in place.
        record, number = self._state._locate(trial_id)
        trial = record.trials[number]
        for name, stamp in stamps.items():
            setattr(trial, name, stamp)

    @staticmethod
    def _json_value(key: str, value: Any) -> Any:
        """Return ``value`` as JSON gives it back (tuples become lists...), as every other client replays it."""
        try:
            return json.loads(json.dumps(value))
        except (TypeError, ValueError) as err:
            raise InvalidArgumentError(
                f"The attribute {key!r} must be JSON-serializable to be stored in a journal, got {value!r} ({err})."
            ) from None

    def _template(self, trial: FrozenTrial) -> dict[str, Any]:
        return {
            "state": int(trial.state),
            "values": None if trial.values is None else list(trial.values),
            "start": None if trial.datetime_start is None else trial.datetime_start.timestamp(),
            "complete": None if trial.datetime_complete is None else trial.datetime_complete.timestamp(),
            "params": {
                name: [float(dist.to_internal_repr(trial.params[name])), self._dist_json(dist)]
                for name, dist in trial.distributions.items()
            },
            "user_attrs": {k: self._json_value(k, v) for k, v in trial.user_attrs.items()},
            "system_attrs": {k: self._json_value(k, v) for k, v in trial.system_attrs.items()},
            "intermediate": list(trial.intermediate_values.items()),
        }
