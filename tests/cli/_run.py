"""The type of the ``run`` fixture (tests/cli/conftest.py), for the tests' annotations."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple


class Result(NamedTuple):
    """What one call of ``main`` did: its exit status and what it wrote."""

    status: int
    out: str
    err: str


Run = Callable[..., Result]
