"""TPE's bounded "above" model against the unbounded one on long studies, paired by seed (albacore only).

    python benchmarks/bench_tpe_bound_quality.py --lib albacore --trials 5000 --seeds 0-29 --only Rosenbrock --out FILE
    python benchmarks/bench_tpe_bound_quality.py --summary FILE[,FILE...]

Past ``_ABOVE_KERNELS`` bad trials albacore's TPE models the bad trials with a thinned, reweighted sample of
kernels; below that the two variants draw the same trials. Each (problem, seed) runs twice, ``TPESampler(seed)``
in memory: once as shipped, once with the bound raised past any study size. Every finished pair is appended to
FILE as one JSON line (a temporary file without ``--out``), so an interrupted run resumes where it stopped; the
metric printed is, per problem, the mean paired difference. ``--lib optuna`` reports nothing (albacore's model
compared with itself); quick mode runs Branin, seed 0, 1,100 trials. ``--summary`` prints, per problem, the
mean regret of each variant and the paired difference (bounded minus unbounded) with its standard error.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from _common import Metric, emit, own_arguments, parse_args
from _functions import PROBLEMS, Problem

import albacore
from albacore.samplers._tpe import _sampler as tpe_module


def _seeds(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def _regret(problem: Problem, seed: int, n_trials: int, above_kernels: int) -> tuple[float, float]:
    saved = tpe_module._ABOVE_KERNELS
    tpe_module._ABOVE_KERNELS = above_kernels
    try:
        started = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            study = albacore.create_study(sampler=albacore.samplers.TPESampler(seed=seed))
            study.optimize(problem.objective, n_trials=n_trials)
        return max(study.best_value - problem.optimum, 0.0), time.process_time() - started
    finally:
        tpe_module._ABOVE_KERNELS = saved


def _done(out: Path) -> set[tuple[str, int, int]]:
    if not out.exists():
        return set()
    rows = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    return {(row["problem"], row["seed"], row["trials"]) for row in rows}


def _run(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Run the missing pairs into ``args.out``; return every row of the file for the chosen problems."""
    out = Path(args.out)
    done = _done(out)
    bounded = tpe_module._ABOVE_KERNELS
    for problem in PROBLEMS:
        if args.only and args.only not in problem.name:
            continue
        for seed in _seeds(args.seeds):
            if (problem.name, seed, args.trials) in done:
                continue
            regret_bounded, cpu_bounded = _regret(problem, seed, args.trials, bounded)
            regret_unbounded, cpu_unbounded = _regret(problem, seed, args.trials, 10**9)
            row = {
                "problem": problem.name,
                "seed": seed,
                "trials": args.trials,
                "bounded": regret_bounded,
                "unbounded": regret_unbounded,
                "cpu_bounded": round(cpu_bounded, 2),
                "cpu_unbounded": round(cpu_unbounded, 2),
            }
            with out.open("a") as stream:
                stream.write(json.dumps(row) + "\n")
            sys.stderr.write(f"{row}\n")
    rows = [json.loads(line) for line in out.read_text().splitlines() if line.strip()] if out.exists() else []
    return [row for row in rows if row["trials"] == args.trials and (not args.only or args.only in row["problem"])]


def _mean_and_error(values: list[float]) -> tuple[float, float]:
    error = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return statistics.fmean(values), error


def _summary(paths: list[str]) -> None:
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, int, int]] = set()
    for path in paths:  # several files may hold the same pair (runs split over processes): count it once
        for line in Path(path).read_text().splitlines():
            row = json.loads(line) if line.strip() else None
            if row and (row["problem"], row["seed"], row["trials"]) not in seen:
                seen.add((row["problem"], row["seed"], row["trials"]))
                rows.append(row)
    print("| problem | trials | seeds | bounded | unbounded | paired difference | same / better / worse |")
    print("|---|---|---|---|---|---|---|")
    for key in sorted({(row["problem"], row["trials"]) for row in rows}):
        mine = [row for row in rows if (row["problem"], row["trials"]) == key]
        bounded = _mean_and_error([row["bounded"] for row in mine])
        unbounded = _mean_and_error([row["unbounded"] for row in mine])
        difference = _mean_and_error([row["bounded"] - row["unbounded"] for row in mine])
        same = sum(row["bounded"] == row["unbounded"] for row in mine)
        better = sum(row["bounded"] < row["unbounded"] for row in mine)
        print(
            f"| {key[0]} | {key[1]:,} | {len(mine)} | {bounded[0]:.4g} +- {bounded[1]:.2g} "
            f"| {unbounded[0]:.4g} +- {unbounded[1]:.2g} | {difference[0]:+.3g} +- {difference[1]:.2g} "
            f"| {same} / {better} / {len(mine) - same - better} |"
        )


def main() -> None:
    own = own_arguments("trials", seeds="0-29", only="", out="", summary="")
    if own.summary:
        _summary(own.summary.split(","))
        return
    lib, quick, _ = parse_args(__doc__ or "")
    if lib.__name__ != "albacore":
        emit([])  # a comparison of albacore with itself: no Optuna figure
        return
    own.trials = own.trials or (1100 if quick else 5000)
    if quick:
        own.seeds, own.only = "0", own.only or "Branin"
    with tempfile.TemporaryDirectory() as scratch:
        own.out = own.out or str(Path(scratch) / "pairs.jsonl")
        rows = _run(own)
    metrics = []
    for problem in sorted({row["problem"] for row in rows}):
        differences = [row["bounded"] - row["unbounded"] for row in rows if row["problem"] == problem]
        label = f"TPE regret, bounded minus unbounded above-model, {own.trials} trials, {problem}, mean of seeds"
        metrics.append(Metric(label, statistics.fmean(differences), "regret", "lower"))
    emit(metrics)


if __name__ == "__main__":
    main()
