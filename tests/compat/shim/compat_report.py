"""pytest plugin of the compatibility harness: writes each test's outcome to ``$ALBACORE_COMPAT_REPORT`` (JSON).

An outcome is "passed", "failed", "skipped" or "error" (setup or teardown failed). Loaded with
``-p compat_report`` in both runs of the harness (Optuna itself and albacore), so both are judged the same way.
With pytest-xdist the reports reach the controller process, which alone writes the file.
"""

from __future__ import annotations

import json
import os
from typing import Any

_outcomes: dict[str, str] = {}


def pytest_runtest_logreport(report: Any) -> None:
    node = report.nodeid
    if report.when == "call":
        if report.passed:
            _outcomes.setdefault(node, "passed")
        elif report.skipped:
            _outcomes[node] = "skipped"
        else:
            _outcomes[node] = "failed"
    elif report.failed:
        _outcomes[node] = "error"
    elif report.skipped and report.when == "setup":
        _outcomes[node] = "skipped"


def pytest_collectreport(report: Any) -> None:
    if report.failed:
        _outcomes[f"{report.nodeid}::<collection>"] = "error"


def pytest_sessionfinish(session: Any) -> None:
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller writes the file
        return
    path = os.environ.get("ALBACORE_COMPAT_REPORT")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(dict(sorted(_outcomes.items())), out, indent=0)
