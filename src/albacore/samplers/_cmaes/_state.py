"""JSON codec for the optimizers of the ``cmaes`` library, so that their state can live in any storage.

Only plain data is written: numbers, strings, lists, numpy arrays (dtype, shape, values) and the Mersenne
Twister state of the optimizer's random generator. Decoding rebuilds objects of an allowlist of ``cmaes``
classes and nothing else, so a storage cannot smuggle code into a worker the way a pickle could.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np

from albacore.exceptions import StorageCorruptedError

__all__ = ["dumps_optimizer", "loads_optimizer", "optimizer_classes"]


def optimizer_classes() -> dict[str, type]:
    """The ``cmaes`` classes an encoded state may name."""
    import cmaes

    return {name: getattr(cmaes, name) for name in ("CMA", "SepCMA", "CMAwM", "CatCMA", "CatCMAwM")}


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, np.ndarray):
        data = base64.b64encode(np.ascontiguousarray(value).tobytes()).decode("ascii")
        return {"__ndarray__": data, "dtype": value.dtype.str, "shape": list(value.shape)}
    if isinstance(value, np.generic):
        return {"__scalar__": value.item(), "dtype": value.dtype.str}
    if isinstance(value, (list, tuple)):
        return {"__list__": [_encode(v) for v in value], "tuple": isinstance(value, tuple)}
    if isinstance(value, np.random.RandomState):
        return {"__random_state__": _encode(value.get_state(legacy=True))}
    if type(value).__name__ in optimizer_classes() and type(value) is optimizer_classes()[type(value).__name__]:
        return {"__optimizer__": type(value).__name__, "attrs": {k: _encode(v) for k, v in vars(value).items()}}
    raise TypeError(f"Cannot store a value of type {type(value).__name__} of a CMA-ES optimizer as JSON.")


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "__ndarray__" in value:
        dtype = np.dtype(value["dtype"])
        if dtype.hasobject:
            raise StorageCorruptedError("A stored CMA-ES state holds an object array, which is never written.")
        raw = base64.b64decode(value["__ndarray__"])
        return np.frombuffer(raw, dtype=dtype).reshape(value["shape"]).copy()
    if "__scalar__" in value:
        return np.dtype(value["dtype"]).type(value["__scalar__"])
    if "__list__" in value:
        items = [_decode(v) for v in value["__list__"]]
        return tuple(items) if value["tuple"] else items
    if "__random_state__" in value:
        rng = np.random.RandomState()
        rng.set_state(_decode(value["__random_state__"]))
        return rng
    if "__optimizer__" in value:
        classes = optimizer_classes()
        if value["__optimizer__"] not in classes:
            raise StorageCorruptedError(f"Unknown CMA-ES optimizer class {value['__optimizer__']!r} in storage.")
        obj: Any = object.__new__(classes[value["__optimizer__"]])
        obj.__dict__.update({k: _decode(v) for k, v in value["attrs"].items()})
        return obj
    raise StorageCorruptedError(f"Unreadable CMA-ES optimizer state in storage: {sorted(value)!r}.")


def dumps_optimizer(optimizer: Any) -> str:
    """Encode a ``cmaes`` optimizer as JSON text."""
    return json.dumps(_encode(optimizer), separators=(",", ":"))


def loads_optimizer(text: str) -> Any:
    """Rebuild a ``cmaes`` optimizer from :func:`dumps_optimizer` output."""
    try:
        return _decode(json.loads(text))
    except (ValueError, KeyError, TypeError) as err:
        raise StorageCorruptedError(f"Unreadable CMA-ES optimizer state in storage: {err}.") from err
