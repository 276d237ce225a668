"""The JSON that DaskStorage clients and the scheduler exchange: trials, studies, parameters and errors.

Nothing on this path is a pickle: a request or a reply is a JSON text, so a storage call can carry data and never
code. A trial travels as a list (its fields in a fixed order) with each parameter as its internal (float) value
and its distribution's JSON, so categorical choices of any JSON type come back as the same objects on every side.
Distributions are decoded once per distinct JSON text and shared, as the other storages share them.
"""

from __future__ import annotations

import builtins
import datetime
import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from albacore import exceptions as _exceptions
from albacore._study_records import FrozenStudy, StudyDirection
from albacore.distributions import BaseDistribution, distribution_to_json, json_to_distribution
from albacore.exceptions import StorageInternalError
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

__all__ = [
    "decode_error",
    "decode_params",
    "decode_study",
    "decode_trial",
    "dumps",
    "encode_error",
    "encode_params",
    "encode_study",
    "encode_trial",
    "loads",
]


def dumps(value: Any) -> str:
    """JSON text of ``value`` (NaN and infinities allowed: both sides are this module)."""
    return json.dumps(value, separators=(",", ":"))


def loads(text: str) -> Any:
    """The value of a JSON text written by :func:`dumps`."""
    return json.loads(text)


class _Distributions:
    """Two-way memo of distribution <-> JSON text (both directions are hot: every trial carries its own)."""

    def __init__(self) -> None:
        self._to_json: dict[BaseDistribution, str] = {}
        self._from_json: dict[str, BaseDistribution] = {}
        self._lock = threading.Lock()

    def encode(self, dist: BaseDistribution) -> str:
        text = self._to_json.get(dist)
        if text is None:
            text = distribution_to_json(dist)
            with self._lock:
                self._to_json[dist] = text
        return text

    def decode(self, text: str) -> BaseDistribution:
        dist = self._from_json.get(text)
        if dist is None:
            dist = json_to_distribution(text)
            with self._lock:
                dist = self._from_json.setdefault(text, dist)
        return dist


_DISTRIBUTIONS = _Distributions()


def _stamp(moment: datetime.datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def _moment(stamp: float | None) -> datetime.datetime | None:
    return None if stamp is None else datetime.datetime.fromtimestamp(stamp)


def encode_trial(trial: FrozenTrial) -> list[Any]:
    """A trial as a JSON-ready list."""
    encode = _DISTRIBUTIONS.encode
    return [
        trial._trial_id,
        trial._number,
        int(trial.state),
        trial._values,
        _stamp(trial._datetime_start),
        _stamp(trial.datetime_complete),
        [
            [name, dist.to_internal_repr(trial._params[name]), encode(dist)]
            for name, dist in trial._distributions.items()
        ],
        trial._user_attrs,
        trial.system_attrs,
        [[step, value] for step, value in trial.intermediate_values.items()],
    ]


def decode_trial(data: Sequence[Any]) -> FrozenTrial:
    """The trial that :func:`encode_trial` encoded."""
    trial_id, number, state, values, start, complete, params, user_attrs, system_attrs, intermediate = data
    decode = _DISTRIBUTIONS.decode
    distributions: dict[str, BaseDistribution] = {}
    external: dict[str, Any] = {}
    for name, internal, dist_json in params:
        dist = decode(dist_json)
        distributions[name] = dist
        external[name] = dist.to_external_repr(internal)
    return FrozenTrial(
        number,
        TrialState(state),
        None,
        _moment(start),
        _moment(complete),
        external,
        distributions,
        user_attrs,
        system_attrs,
        {int(step): value for step, value in intermediate},
        trial_id,
        values=values,
    )


def encode_params(params: Mapping[str, tuple[float, BaseDistribution]] | None) -> list[Any] | None:
    """Parameter writes (name -> (internal value, distribution)) as a JSON-ready list."""
    if params is None:
        return None
    return [[name, internal, _DISTRIBUTIONS.encode(dist)] for name, (internal, dist) in params.items()]


def decode_params(data: Sequence[Any] | None) -> dict[str, tuple[float, BaseDistribution]] | None:
    """The parameter writes that :func:`encode_params` encoded."""
    if data is None:
        return None
    return {name: (internal, _DISTRIBUTIONS.decode(dist_json)) for name, internal, dist_json in data}


def encode_study(study: FrozenStudy) -> list[Any]:
    """A study record as a JSON-ready list."""
    return [
        study._study_id,
        study.study_name,
        [int(d) for d in study.directions],
        study.user_attrs,
        study.system_attrs,
    ]


def decode_study(data: Sequence[Any]) -> FrozenStudy:
    """The study record that :func:`encode_study` encoded."""
    study_id, name, directions, user_attrs, system_attrs = data
    return FrozenStudy(
        study_name=name,
        direction=None,
        directions=[StudyDirection(d) for d in directions],
        user_attrs=user_attrs,
        system_attrs=system_attrs,
        study_id=study_id,
    )


# Errors a storage raises that a client re-raises as the same type: albacore's own and these built-in ones.
_BUILTIN_ERRORS = ("KeyError", "ValueError", "TypeError", "RuntimeError", "IndexError", "NotImplementedError")


def encode_error(err: BaseException) -> list[Any]:
    """An error raised by the storage, as its type's name and its arguments (or its text)."""
    args: Any = list(err.args)
    try:
        dumps(args)
    except (TypeError, ValueError):
        args = [str(err)]
    return [type(err).__name__, args]


def decode_error(data: Sequence[Any]) -> BaseException:
    """The error that :func:`encode_error` encoded, as the same type when it is one a storage may raise."""
    name, args = data
    cls: Any = getattr(_exceptions, name, None)
    if not (isinstance(cls, type) and issubclass(cls, _exceptions.AlbacoreError)):
        cls = getattr(builtins, name) if name in _BUILTIN_ERRORS else None
    if cls is None:
        return StorageInternalError(f"The storage behind the Dask scheduler raised {name}: {' '.join(map(str, args))}")
    try:
        error: BaseException = cls(*args)
    except TypeError:
        error = cls(" ".join(map(str, args)))
    return error
