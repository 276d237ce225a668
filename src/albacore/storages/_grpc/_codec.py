"""What the gRPC storage proxy sends: trials, studies, parameters and errors as compact JSON.

Every request is a JSON array of the call's arguments and every reply a JSON value; both sides use this module,
so the wire format lives in one place. Floats round-trip exactly (``json`` writes ``repr``; NaN and infinities
as ``NaN``/``Infinity``), timestamps are whole microseconds since 1970-01-01 of the naive local datetimes
trials carry, and distributions travel as the JSON text every storage writes, decoded once per distinct text.

A trial is the list ``[id, number, state, values, start, complete, params, user_attrs, system_attrs,
intermediate]`` with ``params`` as ``{name: [internal value, distribution JSON]}`` and ``intermediate`` as
``[[step, value], ...]``.
"""

from __future__ import annotations

import datetime
import json
import threading
from collections.abc import Sequence
from typing import Any

from albacore import exceptions
from albacore._study_records import FrozenStudy, StudyDirection
from albacore.distributions import BaseDistribution, distribution_to_json, json_to_distribution
from albacore.exceptions import InvalidArgumentError
from albacore.storages._base import ParamWrites
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

__all__ = ["ERRORS", "ERROR_KEY", "SERVICE", "Codec", "dumps", "loads"]

SERVICE = "albacore.storage.v1.Storage"
"""The gRPC service: one unary method per storage operation, named as the operation."""
ERROR_KEY = "albacore-error"
"""The trailing metadata that names the type of a storage error."""

_EPOCH = datetime.datetime(1970, 1, 1)
_MICROSECOND = datetime.timedelta(microseconds=1)
_CACHE_SIZE = 4096  # distinct distributions remembered, each way

# The exception types a proxy passes on by name; anything else arrives as StorageInternalError.
ERRORS: dict[str, type[Exception]] = {
    name: cls
    for name, cls in vars(exceptions).items()
    if isinstance(cls, type) and issubclass(cls, Exception) and name in exceptions.__all__
}
ERRORS.update(
    {cls.__name__: cls for cls in (KeyError, ValueError, TypeError, RuntimeError, IndexError, NotImplementedError)}
)


def dumps(value: Any) -> bytes:
    """Encode one request or reply."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def loads(payload: bytes) -> Any:
    """Decode one request or reply; ValueError when it is not JSON."""
    return json.loads(payload)


def _micros(stamp: datetime.datetime | None) -> int | None:
    return None if stamp is None else (stamp - _EPOCH) // _MICROSECOND


def _stamp(micros: int | None) -> datetime.datetime | None:
    return None if micros is None else _EPOCH + datetime.timedelta(microseconds=micros)


def json_attr(key: str, value: Any) -> Any:
    """Return an attribute value as JSON gives it back, or raise InvalidArgumentError naming the key."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError) as err:
        raise InvalidArgumentError(
            f"The attribute {key!r} must be JSON-serializable to go through the gRPC storage proxy, got {value!r} "
            f"({err})."
        ) from None


class Codec:
    """Encodes and decodes the proxy's records; one per client or server, safe to share between threads.

    Distribution objects are encoded once per object and decoded once per text, so the objects a client's
    trials suggest with come back as those same objects (the storages check them by identity first).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._texts: dict[int, tuple[BaseDistribution, str]] = {}
        self._dists: dict[str, BaseDistribution] = {}

    def dist_json(self, dist: BaseDistribution) -> str:
        """The JSON text of a distribution."""
        entry = self._texts.get(id(dist))
        if entry is not None and entry[0] is dist:
            return entry[1]
        text = distribution_to_json(dist)
        with self._lock:
            if len(self._texts) >= _CACHE_SIZE:
                self._texts.clear()
            self._texts[id(dist)] = (dist, text)
            self._dists.setdefault(text, dist)
        return text

    def distribution(self, text: str) -> BaseDistribution:
        """The distribution a JSON text describes (InvalidDistributionError when it describes none)."""
        dist = self._dists.get(text)
        if dist is None:
            if not isinstance(text, str):
                raise InvalidArgumentError(f"A distribution must be given as JSON text, got {text!r}.")
            dist = json_to_distribution(text)
            with self._lock:
                if len(self._dists) >= _CACHE_SIZE:
                    self._dists.clear()
                self._dists[text] = dist
        return dist

    # --- parameters --------------------------------------------------------------------------------------

    def encode_params(self, params: ParamWrites | None) -> dict[str, list[Any]] | None:
        """Parameters to write, as ``{name: [internal value, distribution JSON]}``."""
        if params is None:
            return None
        return {name: [float(internal), self.dist_json(dist)] for name, (internal, dist) in params.items()}

    def decode_params(self, params: dict[str, list[Any]] | None) -> dict[str, tuple[float, BaseDistribution]] | None:
        """The inverse of :meth:`encode_params`."""
        if params is None:
            return None
        return {str(name): (float(internal), self.distribution(text)) for name, (internal, text) in params.items()}

    # --- trials ------------------------------------------------------------------------------------------

    def encode_trial(self, trial: FrozenTrial) -> list[Any]:
        """A trial as a JSON-ready list (see the module docstring)."""
        dists = trial.distributions
        params = trial.params
        return [
            trial._trial_id,
            trial.number,
            int(trial.state),
            trial.values,
            _micros(trial.datetime_start),
            _micros(trial.datetime_complete),
            {name: [dist.to_internal_repr(params[name]), self.dist_json(dist)] for name, dist in dists.items()},
            trial.user_attrs,
            trial.system_attrs,
            [[step, value] for step, value in trial.intermediate_values.items()],
        ]

    def encode_template(self, trial: FrozenTrial) -> list[Any]:
        """A template trial to send, with its attributes as JSON gives them back."""
        encoded = self.encode_trial(trial)
        encoded[7] = {key: json_attr(key, value) for key, value in trial.user_attrs.items()}
        encoded[8] = {key: json_attr(key, value) for key, value in trial.system_attrs.items()}
        return encoded

    def decode_trial(self, data: Sequence[Any]) -> FrozenTrial:
        """The inverse of :meth:`encode_trial`."""
        trial_id, number, state, values, start, complete, params, user_attrs, system_attrs, intermediate = data
        decoded = {name: (internal, self.distribution(text)) for name, (internal, text) in params.items()}
        if not (isinstance(user_attrs, dict) and isinstance(system_attrs, dict)):
            raise InvalidArgumentError("A trial's attributes must be JSON objects.")
        return FrozenTrial(
            int(number),
            TrialState(state),
            None,
            _stamp(start),
            _stamp(complete),
            {name: dist.to_external_repr(internal) for name, (internal, dist) in decoded.items()},
            {name: dist for name, (_, dist) in decoded.items()},
            user_attrs,
            system_attrs,
            {int(step): float(value) for step, value in intermediate},
            int(trial_id),
            values=values,
        )

    # --- studies -----------------------------------------------------------------------------------------

    @staticmethod
    def encode_study(study: FrozenStudy) -> list[Any]:
        """A study as ``[id, name, directions, user_attrs, system_attrs]``."""
        return [
            study._study_id,
            study.study_name,
            [int(d) for d in study.directions],
            study.user_attrs,
            study.system_attrs,
        ]

    @staticmethod
    def decode_study(data: Sequence[Any]) -> FrozenStudy:
        """The inverse of :meth:`encode_study`."""
        study_id, name, directions, user_attrs, system_attrs = data
        return FrozenStudy(name, None, user_attrs, system_attrs, study_id, directions=decode_directions(directions))


def decode_directions(directions: Sequence[int]) -> list[StudyDirection]:
    """Directions from their integer values."""
    return [StudyDirection(d) for d in directions]


def decode_state(state: int) -> TrialState:
    """A trial state from its integer value."""
    return TrialState(state)
