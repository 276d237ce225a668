"""Test-suite wide settings: slow reliability tests run when ALBACORE_RUN_SLOW=1 (``.ci/run`` sets it)."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("ALBACORE_RUN_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow reliability test: set ALBACORE_RUN_SLOW=1 to run it (CI does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
