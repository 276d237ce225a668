"""The command line: seconds per ``ask`` + ``tell`` round trip, and per ``trials -f json`` of a 1,000-trial study.

Each command is a new Python process, as in a shell script that drives a study (``<lib>.cli.main`` run with
``python -c``), on a journal file named by its path, which both libraries' commands accept. The round trip asks
for two parameters from ``--search-space`` and tells a value. The listed study is made in-process with the random
sampler before the timing. Every figure is the median of several runs of the same command; process start-up
(importing the library) is part of what is measured, since a shell script pays it on every command.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from types import ModuleType

from _common import Metric, emit, parse_args

_SPACE = json.dumps(
    {
        "x": {"name": "FloatDistribution", "attributes": {"low": -10.0, "high": 10.0}},
        "c": {"name": "CategoricalDistribution", "attributes": {"choices": ["a", "b"]}},
    }
)


def _command(lib: ModuleType, *argv: str) -> tuple[float, str]:
    """Run one command of ``lib``'s CLI in a new process; return its wall time and stdout."""
    code = f"import sys; from {lib.__name__}.cli import main; sys.exit(main())"
    env = {k: v for k, v in os.environ.items() if k not in ("OPTUNA_STORAGE", "ALBACORE_STORAGE")}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr}")
    return elapsed, done.stdout


def round_trips(lib: ModuleType, directory: str, n: int) -> float:
    """Median seconds of ``ask`` then ``tell`` on one study."""
    path = os.path.join(directory, "ask-tell.log")
    open(path, "w").close()  # an existing (empty) file: both commands take the path for a journal file
    _command(lib, "create-study", "--storage", path, "--study-name", "s", "-q")
    times = []
    for _ in range(n):
        asked_in, out = _command(lib, "ask", "--storage", path, "--study-name", "s", "--search-space", _SPACE, "-q")
        asked = json.loads(out)
        told_in, _ = _command(
            lib, "tell", "--storage", path, "--study-name", "s", "--trial-number", str(asked["number"]),
            "--values", str(asked["params"]["x"] ** 2), "-q",
        )  # fmt: skip
        times.append(asked_in + told_in)
    return statistics.median(times)


def listing(lib: ModuleType, directory: str, n_trials: int, repeats: int) -> float:
    """Median seconds of ``trials -f json`` on a study of ``n_trials`` finished trials."""
    path = os.path.join(directory, "listed.log")
    storage = lib.storages.JournalStorage(lib.storages.journal.JournalFileBackend(path))
    study = lib.create_study(study_name="listed", storage=storage, sampler=lib.samplers.RandomSampler(seed=0))
    study.optimize(lambda t: t.suggest_float("x", -10, 10) ** 2 + t.suggest_int("n", 1, 9), n_trials=n_trials)
    times = []
    for _ in range(repeats):
        elapsed, out = _command(lib, "trials", "--storage", path, "--study-name", "listed", "-f", "json", "-q")
        assert len(json.loads(out)) == n_trials
        times.append(elapsed)
    return statistics.median(times)


def main() -> None:
    lib, quick, _ = parse_args(__doc__ or "")
    n_trials = 50 if quick else 1000
    with tempfile.TemporaryDirectory() as directory:
        trip = round_trips(lib, directory, 2 if quick else 9)
        listed = listing(lib, directory, n_trials, 1 if quick else 5)
    emit(
        [
            Metric("CLI ask + tell round trip, journal file", trip, "s", "lower"),
            Metric(f"CLI trials -f json, {n_trials} trials, journal file", listed, "s", "lower"),
        ]
    )


if __name__ == "__main__":
    main()
