"""Smoke runs of the TPE benchmark scripts (quick mode), so that they keep working."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _run(script: str, *args: str) -> list[dict]:
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--lib", "albacore", "--quick", *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=BENCHMARKS,
        timeout=300,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["metrics"]


@pytest.mark.skipif(not BENCHMARKS.exists(), reason="benchmarks are not shipped with the package")
def test_quality_benchmark_quick_run_reports_every_problem_and_takes_a_sampler_name() -> None:
    metrics = _run("bench_quality.py", "--sampler", "RandomSampler", "--trials", "12")
    assert len(metrics) == 9
    assert all(m["unit"] == "regret" and m["value"] >= 0.0 and "RandomSampler" in m["name"] for m in metrics)


@pytest.mark.skipif(not BENCHMARKS.exists(), reason="benchmarks are not shipped with the package")
def test_speed_benchmark_quick_run_reports_three_workloads() -> None:
    metrics = _run("bench_tpe_speed.py")
    assert [m["unit"] for m in metrics] == ["ms/trial"] * 3
    assert all(m["value"] > 0.0 for m in metrics)
