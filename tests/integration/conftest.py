"""Helpers shared by the integration tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from _fixed_pruner import FixedPruner


@pytest.fixture
def fixed_pruner() -> Callable[[bool], FixedPruner]:
    return FixedPruner
