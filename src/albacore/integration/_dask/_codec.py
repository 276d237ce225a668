"""The JSON that DaskStorage clients and the scheduler exchange: the gRPC proxy's wire format, plus errors.

Nothing on this path is a pickle: a request or a reply is JSON, so a storage call carries data and never code.
Trials, studies and parameters are encoded as the gRPC storage proxy encodes them (``storages/_grpc/_codec.py``);
an error travels as its type's name and its arguments and comes back as the same type when it is one a storage
raises (albacore's own errors and a few built-in ones), as StorageInternalError otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from albacore.exceptions import StorageInternalError
from albacore.storages._grpc._codec import ERRORS, Codec, dumps, loads

__all__ = ["CODEC", "decode_error", "dumps", "encode_error", "loads"]

CODEC = Codec()
"""The codec of this process (it remembers distributions both ways, so one is shared)."""


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
    cls = ERRORS.get(name)
    if cls is None:
        return StorageInternalError(f"The storage behind the Dask scheduler raised {name}: {' '.join(map(str, args))}")
    try:
        return cls(*args)
    except TypeError:
        return cls(" ".join(map(str, args)))
