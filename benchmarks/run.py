"""Run every benchmark for Optuna 5.0.0 and albacore in one run and rewrite ``benchmarks/RESULTS.md``.

Usage::

    python benchmarks/run.py                 # all benchmarks, full size
    python benchmarks/run.py --only throughput storage --quick

A private virtual environment (``benchmarks/.venv-optuna``) holds optuna==5.0.0 (with torch for its GPSampler)
beside an editable install of albacore, so both libraries run the same scripts on the same machine, one after the
other. Ratios are "times better than Optuna": higher is better for albacore in every row.
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV = HERE / ".venv-optuna"
REQUIREMENTS = [
    "optuna==5.0.0",
    "torch==2.13.0",
    "scipy",
    "cmaes",
    "scikit-learn",
    "redis",
    "psycopg[binary]",
    "PyMySQL",
    "pandas",
    "moto[server]",  # bench_artifacts: an S3-compatible server on the loopback address
    "playwright",  # bench_dashboard drives Debian's chromium
    "plotly",
    "grpcio",  # bench_grpc: Optuna's gRPC storage proxy and its generated protobuf code
    "protobuf",
    "optuna-integration==5.0.0",  # bench_dask: its DaskStorage, the peer of albacore's
    "dask[distributed]",
    "psutil",  # bench_dask: CPU time of every process of the cluster
]


def _python() -> Path:
    return VENV / "bin" / "python"


def ensure_environment() -> None:
    """Create the benchmark environment once; reinstall albacore (editable) every time."""
    if not _python().exists():
        venv.create(VENV, with_pip=True)
        subprocess.run([_python(), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
        subprocess.run([_python(), "-m", "pip", "install", "--quiet", *REQUIREMENTS], check=True)
    subprocess.run([_python(), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[all]"], check=True)


def run_script(script: Path, lib: str, quick: bool, extra: list[str]) -> list[dict[str, object]]:
    """Run one benchmark script for one library and return its metrics."""
    cmd = [str(_python()), str(script), "--lib", lib, *(["--quick"] if quick else []), *extra]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=HERE)
    last = [line for line in out.stdout.splitlines() if line.startswith("{")][-1]
    metrics: list[dict[str, object]] = json.loads(last)["metrics"]
    return metrics


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def ratio(optuna_value: float, albacore_value: float, better: str) -> float:
    """How many times better albacore is (above 1 means albacore wins)."""
    if better == "higher":
        return albacore_value / optuna_value if optuna_value else float("inf")
    return optuna_value / albacore_value if albacore_value else float("inf")


def write_results(rows: list[tuple[str, str, dict[str, object] | None, dict[str, object]]], quick: bool) -> None:
    """Rewrite RESULTS.md's table with one row per metric, keeping rows of benchmarks not rerun and the notes."""
    today = datetime.date.today().isoformat()
    path = HERE / "RESULTS.md"
    kept: dict[str, str] = {}
    notes = ""
    if path.exists():
        text = path.read_text()
        # Everything from "## Notes" on is written by hand (figures measured outside run.py, how to read them)
        # and is kept as it is; only the table above it is regenerated.
        table, marker, rest = text.partition("\n## Notes\n")
        notes = rest.strip() if marker else ""
        for line in table.splitlines():
            if line.startswith("| ") and not line.startswith("| metric") and not line.startswith("|---"):
                kept[line.split("|")[1].strip()] = line
    for script, _, o, a in rows:
        name = f"{a['name']} ({a['unit']})"
        if o is None:  # a figure only albacore reports (Optuna has no such feature, or it would take hours)
            optuna_cell, ratio_cell = "n/a", "n/a"
        else:
            optuna_cell = _fmt(float(o["value"]))  # type: ignore[arg-type]
            ratio_cell = f"{ratio(float(o['value']), float(a['value']), str(o['better'])):.2f}x"  # type: ignore[arg-type]
        kept[name] = (
            f"| {name} | {optuna_cell} | {_fmt(float(a['value']))} | "  # type: ignore[arg-type]
            f"{ratio_cell} | {script} | {today}{' (quick)' if quick else ''} |"
        )
    lines = [
        "# Benchmark results: albacore against Optuna 5.0.0",
        "",
        "Made by `python benchmarks/run.py` (see its docstring). Both libraries ran the same script on the same",
        "machine in one run; these shared 2-core machines are noisy, so read the ratio, not the absolute figures.",
        "The ratio is how many times better albacore is (higher is better: faster, fewer epochs, lower regret).",
        "",
        "| metric | Optuna 5.0.0 | albacore | ratio | script | date |",
        "|---|---|---|---|---|---|",
        *kept.values(),
        "",
    ]
    if notes:
        lines += ["## Notes", "", notes, ""]
    path.write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="benchmark names (bench_<name>.py) to run")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    ensure_environment()
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in args.only]
    rows: list[tuple[str, str, dict[str, object] | None, dict[str, object]]] = []
    for script in scripts:
        print(f"running {script.name} ...", file=sys.stderr, flush=True)
        optuna_metrics = run_script(script, "optuna", args.quick, [])
        albacore_metrics = run_script(script, "albacore", args.quick, [])
        by_name = {m["name"]: m for m in optuna_metrics}
        for a in albacore_metrics:
            o = by_name.get(a["name"])
            rows.append((script.name, str(a["name"]), o, a))
            if o is not None:
                r = ratio(float(o["value"]), float(a["value"]), str(o["better"]))  # type: ignore[arg-type]
                print(f"  {a['name']}: optuna {o['value']:.4g} albacore {a['value']:.4g} -> {r:.2f}x", file=sys.stderr)
            else:
                print(f"  {a['name']}: albacore {a['value']:.4g} (no Optuna figure)", file=sys.stderr)
    write_results(rows, args.quick)


if __name__ == "__main__":
    main()
