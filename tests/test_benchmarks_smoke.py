"""Each benchmark script still runs (quick mode, albacore only) and prints well-formed metrics."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPTS = sorted(BENCHMARKS.glob("bench_*.py"))


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_benchmark_script_runs_in_quick_mode(script: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run(
        [sys.executable, str(script), "--lib", "albacore", "--quick"],
        cwd=BENCHMARKS,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    metrics = json.loads([line for line in out.stdout.splitlines() if line.startswith("{")][-1])["metrics"]
    assert metrics
    for metric in metrics:
        assert set(metric) == {"name", "value", "unit", "better"}
        assert metric["better"] in ("higher", "lower")
        assert isinstance(metric["value"], (int, float))
