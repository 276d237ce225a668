"""`make compat`: Optuna's own test suite, run against albacore, as albacore's behavioural spec.

Usage (from the project root, with the project's virtual environment)::

    python tests/compat/run.py                       # every group; fails when a counted group is short
    python tests/compat/run.py tests/study_tests     # only these Optuna test paths
    python tests/compat/run.py --show-failures study # the failing tests of a group, from the last run
    python tests/compat/run.py --baseline            # rerun Optuna itself and rewrite the baseline file

How it works:
- Optuna's source distribution (which ships its tests) is downloaded once with pip into a cache outside the
  repository (``$ALBACORE_COMPAT_CACHE``, default ``~/.cache/albacore-compat``) and unpacked there.
- The baseline, ``tests/compat/baseline/optuna-<version>.txt``, lists the tests that Optuna itself passes in
  this harness. ``--baseline`` makes it: a private virtual environment in the cache gets Optuna and its test
  dependencies, and runs the suite with the same pytest plugin and options as the albacore run.
- The albacore run uses the calling Python (albacore installed, Optuna not) with ``shim/`` first on
  ``PYTHONPATH``: its ``sitecustomize`` installs the import hook of ``shim/optuna_alias.py`` in every process,
  and ``shim/bin/optuna`` stands in for the ``optuna`` command.
- Each test's outcome is judged against the baseline: a group's share is the tests Optuna passes that albacore
  also passes, leaving out ``tests/compat/excluded.txt`` (tests of Optuna-private helpers, each with a reason).
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import time
import venv
from dataclasses import dataclass, field
from pathlib import Path

import tomllib

HERE = Path(__file__).resolve().parent
SHIM = HERE / "shim"
CACHE = Path(os.environ.get("ALBACORE_COMPAT_CACHE", Path.home() / ".cache" / "albacore-compat"))
# One folder of reports per checkout, so that several checkouts (git worktrees) can run the harness at once.
RUNS = CACHE / "runs" / hashlib.sha256(str(HERE).encode()).hexdigest()[:12]

# What Optuna's test suite needs beside Optuna itself, for the baseline run (its "test" and "optional" groups).
BASELINE_REQUIREMENTS = [
    "torch==2.13.0",
    "fakeredis[lua]",
    "moto[server]",
    "plotly<7",
    "kaleido<0.4,!=0.2.1.post1",
    "pytest",
    "pytest-xdist",
    "pytest-timeout",
    "scipy",
    "greenlet",
    "grpcio",
    "protobuf>=5.28.1",
    "boto3",
    "cmaes",
    "google-cloud-storage",
    "matplotlib",
    "pandas",
    "redis",
    "scikit-learn",
]


@dataclass
class Group:
    """A set of Optuna test paths reported together."""

    name: str
    paths: list[str]
    counted: bool
    floor: float  # the share below which the run fails (the threshold, or a lower ratchet while a group catches up)


@dataclass
class Tally:
    """One group's figures."""

    group: Group
    optuna_passes: int = 0
    excluded: int = 0
    albacore_passes: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def judged(self) -> int:
        return self.optuna_passes - self.excluded

    @property
    def share(self) -> float:
        return self.albacore_passes / self.judged if self.judged else 1.0


def load_config() -> tuple[dict[str, str], float, list[Group]]:
    config = tomllib.loads((HERE / "groups.toml").read_text())
    source = config["sources"]["optuna"]
    threshold = float(config["threshold"])
    groups = [
        Group(name, spec["paths"], bool(spec["counted"]), float(spec.get("floor", threshold)))
        for name, spec in config["groups"].items()
    ]
    return source, threshold, groups


def load_excluded() -> list[tuple[str, str]]:
    """``(pattern, reason)`` pairs; a pattern is an fnmatch glob over node ids."""
    rules = []
    for number, line in enumerate((HERE / "excluded.txt").read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pattern, sep, reason = line.partition(" # ")
        if not sep or not reason.strip():
            raise SystemExit(f"excluded.txt:{number}: every exclusion needs a reason after ' # '")
        rules.append((pattern.strip(), reason.strip()))
    return rules


def fetch_sdist(package: str, version: str) -> Path:
    """Download and unpack ``package==version``'s sdist into the cache (once); return its root."""
    root = CACHE / f"{package}-{version}"
    if (root / "tests").is_dir():
        return root
    CACHE.mkdir(parents=True, exist_ok=True)
    download = ["download", "--quiet", "--no-deps", "--no-binary", ":all:", f"{package}=={version}", "-d", str(CACHE)]
    subprocess.run([sys.executable, "-m", "pip", *download], check=True)
    archive = next(CACHE.glob(f"{package.replace('-', '?')}-{version}.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(CACHE, filter="data")
    return root


def baseline_python(package: str, version: str) -> Path:
    """The cache's private environment with Optuna installed (made once)."""
    env = CACHE / f"venv-{package}-{version}"
    python = env / "bin" / "python"
    if not python.exists():
        venv.create(env, with_pip=True)
        subprocess.run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
        requirements = [f"{package}=={version}", *BASELINE_REQUIREMENTS]
        subprocess.run([python, "-m", "pip", "install", "--quiet", *requirements], check=True)
    return python


def run_pytest(python: Path, sdist: Path, paths: list[str], report: Path, workers: int, alias: bool) -> dict[str, str]:
    """Run Optuna's tests under ``python``; return node id -> outcome."""
    env = dict(os.environ)
    env["ALBACORE_COMPAT_REPORT"] = str(report)
    env["PYTHONPATH"] = os.pathsep.join([str(SHIM), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PATH"] = os.pathsep.join([str(python.parent), env.get("PATH", "")])
    if alias:
        env["ALBACORE_COMPAT_OPTUNA_SRC"] = str(sdist)
        env["PATH"] = os.pathsep.join([str(SHIM / "bin"), env["PATH"]])
    else:
        env.pop("ALBACORE_COMPAT_OPTUNA_SRC", None)
    command = [str(python), "-m", "pytest", *paths, "-p", "compat_report", "-p", "no:cacheprovider"]
    command += ["-o", "addopts=", "-q", "--no-header", "-rN", "--timeout=600", "--color=no"]
    if alias:
        command += ["-p", "image_export"]
    if workers > 1:
        command += ["-n", str(workers)]
    report.unlink(missing_ok=True)
    with open(report.with_suffix(".log"), "w") as log:
        subprocess.run(command, cwd=sdist, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    if not report.exists():
        raise SystemExit(f"compat: pytest wrote no report; see {report.with_suffix('.log')}")
    outcomes: dict[str, str] = json.loads(report.read_text())
    return outcomes


def group_of(node: str, groups: list[Group]) -> Group | None:
    return next((g for g in groups if any(node.startswith(p) for p in g.paths)), None)


def tally(
    baseline: set[str], outcomes: dict[str, str], groups: list[Group], excluded: list[tuple[str, str]], paths: list[str]
) -> list[Tally]:
    tallies = {g.name: Tally(g) for g in groups}
    for node in sorted(baseline):
        if paths and not any(node.startswith(p) for p in paths):
            continue
        group = group_of(node, groups)
        if group is None:
            continue
        t = tallies[group.name]
        t.optuna_passes += 1
        if any(fnmatch.fnmatchcase(node, pattern) for pattern, _ in excluded):
            t.excluded += 1
            continue
        outcome = outcomes.get(node, _collection_outcome(node, outcomes))
        if outcome == "passed":
            t.albacore_passes += 1
        else:
            t.failures.append((node, outcome))
    return [t for t in tallies.values() if t.optuna_passes]


def _collection_outcome(node: str, outcomes: dict[str, str]) -> str:
    module = node.split("::")[0]
    return "collection error" if outcomes.get(f"{module}::<collection>") == "error" else "not run"


def print_table(tallies: list[Tally], threshold: float, version: str) -> bool:
    """Print the one-line summary and the per-group table; return whether every counted group holds its floor."""
    counted = [t for t in tallies if t.group.counted]
    judged = sum(t.judged for t in counted)
    passes = sum(t.albacore_passes for t in counted)
    short = [t.group.name for t in counted if t.share < threshold]
    fallen = [f"{t.group.name} ({t.share:.1%} < {t.group.floor:.1%})" for t in counted if t.share < t.group.floor]
    width = max((len(t.group.name) for t in tallies), default=5)
    print(f"{'group':<{width}}  counted  floor   optuna passes  excluded  albacore passes  share")
    for t in tallies:
        floor = f"{t.group.floor:5.1%}" if t.group.counted else "  -  "
        print(
            f"{t.group.name:<{width}}  {'yes' if t.group.counted else 'no ':<7}  {floor}  {t.optuna_passes:>13}  "
            f"{t.excluded:>8}  {t.albacore_passes:>15}  {t.share:6.1%}"
        )
    share = passes / judged if judged else 1.0
    target = (
        f"every counted group at {threshold:.0%} or more"
        if not short
        else f"short of {threshold:.0%}: " + ", ".join(short)
    )
    print(
        f"compat: {passes} of the {judged} tests that Optuna {version} passes (counted groups, exclusions aside) "
        f"also pass with albacore ({share:.1%}); {target}"
    )
    if fallen:
        print(f"compat: FAILED: below the floor in groups.toml: {', '.join(fallen)}")
    return not fallen


def write_failures(tallies: list[Tally]) -> Path:
    path = RUNS / "failures.json"
    path.write_text(json.dumps({t.group.name: t.failures for t in tallies}, indent=1))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="Optuna test paths, relative to its sdist root (default: all)")
    parser.add_argument("--baseline", action="store_true", help="rerun Optuna itself and rewrite the baseline")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="pytest-xdist workers")
    parser.add_argument("--show-failures", metavar="GROUP", help="list a group's failures from the last run")
    args = parser.parse_args()

    source, threshold, groups = load_config()
    package, version = source["package"], source["version"]
    baseline_file = HERE / "baseline" / f"{package}-{version}.txt"
    RUNS.mkdir(parents=True, exist_ok=True)

    if args.show_failures:
        failures = json.loads((RUNS / "failures.json").read_text()).get(args.show_failures, [])
        for node, outcome in failures:
            print(f"{outcome:<16} {node}")
        return 0

    sdist = fetch_sdist(package, version)
    paths = args.paths or ["tests"]
    started = time.monotonic()
    if args.baseline:
        outcomes = run_pytest(
            baseline_python(package, version), sdist, paths, RUNS / "optuna.json", args.workers, False
        )
        passed = sorted(node for node, outcome in outcomes.items() if outcome == "passed")
        baseline_file.parent.mkdir(exist_ok=True)
        header = f"# Tests that {package} {version} passes in this harness (python tests/compat/run.py --baseline).\n"
        baseline_file.write_text(header + "".join(f"{node}\n" for node in passed))
        print(f"compat: {package} {version} passes {len(passed)} of {len(outcomes)} tests; wrote {baseline_file.name}")
        return 0

    baseline = {line for line in baseline_file.read_text().splitlines() if line and not line.startswith("#")}
    outcomes = run_pytest(Path(sys.executable), sdist, paths, RUNS / "albacore.json", args.workers, alias=True)
    tallies = tally(baseline, outcomes, groups, load_excluded(), args.paths)
    ok = print_table(tallies, threshold, version)
    failures = write_failures(tallies)
    print(f"compat: ran in {time.monotonic() - started:.0f} s; failures listed in {failures}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
