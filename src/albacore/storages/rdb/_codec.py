"""How values cross the database boundary: JSON attributes, epoch timestamps, non-finite floats."""

from __future__ import annotations

import datetime
import json
import math
import threading
from typing import Any

from albacore.distributions import BaseDistribution, distribution_to_json, json_to_distribution
from albacore.exceptions import InvalidArgumentError

__all__ = [
    "DistributionCache",
    "decode_float",
    "dump_attr",
    "encode_float",
    "from_epoch",
    "load_attr",
    "to_epoch",
]

_FINITE, _POS_INF, _NEG_INF, _NAN = 0, 1, 2, 3


def dump_attr(key: str, value: Any) -> str:
    """Serialise an attribute value to JSON text, refusing what JSON cannot hold (no pickle, ever)."""
    try:
        return json.dumps(value)
    except (TypeError, ValueError) as err:
        raise InvalidArgumentError(
            f"Attribute {key!r} must be JSON-serializable (numbers, strings, booleans, None, lists and dicts of "
            f"them) to be stored, got {value!r} of type {type(value).__name__}."
        ) from err


def load_attr(text: str) -> Any:
    """Inverse of :func:`dump_attr`."""
    return json.loads(text)


def encode_float(value: float) -> tuple[float | None, int]:
    """Split a float into a storable (value, kind): MySQL has no NaN or infinities, so those become NULL."""
    if math.isfinite(value):
        return float(value), _FINITE
    if math.isnan(value):
        return None, _NAN
    return None, _POS_INF if value > 0 else _NEG_INF


def decode_float(value: float | None, kind: int) -> float:
    """Inverse of :func:`encode_float`."""
    if kind == _FINITE:
        assert value is not None
        return float(value)
    if kind == _POS_INF:
        return math.inf
    if kind == _NEG_INF:
        return -math.inf
    return math.nan


def to_epoch(moment: datetime.datetime | None) -> float | None:
    """Seconds since the epoch (UTC) of a naive local or an aware datetime."""
    return None if moment is None else moment.timestamp()


def from_epoch(seconds: float | None) -> datetime.datetime | None:
    """The naive local datetime of an epoch timestamp, as InMemoryStorage returns them."""
    return None if seconds is None else datetime.datetime.fromtimestamp(seconds)


def _identity(dist: BaseDistribution) -> tuple[Any, ...]:
    """A hashable key equal only for identical distributions (``True`` and ``1`` are different choices)."""
    parts: list[Any] = [type(dist)]
    for name, value in dist._asdict().items():
        if isinstance(value, (list, tuple)):
            parts.append((name, tuple((type(v), v) for v in value)))
        else:
            parts.append((name, type(value), value))
    return tuple(parts)


class DistributionCache:
    """Parses (and writes) each distinct distribution JSON text once: a study has few, in many rows."""

    _MAX_ENTRIES = 50_000

    def __init__(self) -> None:
        self._parsed: dict[str, BaseDistribution] = {}
        self._texts: dict[tuple[Any, ...], str] = {}
        # The suggest_* methods hand out one shared object per distinct distribution, so most lookups are
        # answered by the object itself, without building its identity key. The entry keeps the object
        # alive, so that its id cannot be reused by another one.
        self._by_object: dict[int, tuple[BaseDistribution, str]] = {}
        self._lock = threading.Lock()

    def dump(self, dist: BaseDistribution) -> str:
        """Return the JSON text of ``dist``, encoding each distinct distribution once."""
        seen = self._by_object.get(id(dist))
        if seen is not None and seen[0] is dist:
            return seen[1]
        key = _identity(dist)
        text = self._texts.get(key)
        if text is None:
            text = distribution_to_json(dist)
        with self._lock:
            if len(self._texts) >= self._MAX_ENTRIES:
                self._texts.clear()
            self._texts[key] = text
            if len(self._by_object) >= self._MAX_ENTRIES:
                self._by_object.clear()
            self._by_object[id(dist)] = (dist, text)
        return text

    def load(self, text: str) -> BaseDistribution:
        """Return the distribution of ``text`` (shared, immutable)."""
        dist = self._parsed.get(text)
        if dist is None:
            dist = json_to_distribution(text)
            with self._lock:
                if len(self._parsed) >= self._MAX_ENTRIES:
                    self._parsed.clear()
                self._parsed[text] = dist
        return dist
