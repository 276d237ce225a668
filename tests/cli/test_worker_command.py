"""``albacore worker`` and ``create-study --max-trials``: a study-level budget honoured by every worker."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest
from tests.cli._run import Run

import albacore
from albacore.study._max_trials import MAX_TRIALS_KEY
from albacore.trial import TrialState

OBJECTIVE = """
import time

def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    time.sleep(0.02)
    return (x - 2) ** 2

class Holder:
    objective = staticmethod(objective)

not_callable = 3
"""


@pytest.fixture
def module_dir(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    """A folder with ``train.py`` (the objective), made the current directory."""
    (tmp_path / "train.py").write_text(OBJECTIVE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_create_study_with_a_budget(run: Run, url: str) -> None:
    assert run("--storage", url, "create-study", "--study-name", "b", "--max-trials", "7").status == 0
    study = albacore.load_study(study_name="b", storage=url)
    assert study.system_attrs[MAX_TRIALS_KEY] == 7
    refused = run("--storage", url, "create-study", "--study-name", "c", "--max-trials", "0")
    assert refused.status == 2 and "--max-trials" in refused.err
    assert albacore.get_all_study_names(url) == ["b"]


def test_worker_runs_until_the_study_budget_is_spent(run: Run, url: str, module_dir: pathlib.Path) -> None:
    run("--storage", url, "create-study", "--study-name", "s", "--max-trials", "4")
    done = run("--storage", url, "worker", "--study-name", "s", "train:objective", "--sampler", "RandomSampler")
    assert done.status == 0, done.err
    assert len(albacore.load_study(study_name="s", storage=url).trials) == 4
    again = run("--storage", url, "worker", "--study-name", "s", "train:Holder.objective", "--n-trials", "3")
    assert again.status == 0 and len(albacore.load_study(study_name="s", storage=url).trials) == 4


def test_worker_without_budget_needs_a_limit(run: Run, url: str, module_dir: pathlib.Path) -> None:
    run("--storage", url, "create-study", "--study-name", "s")
    endless = run("--storage", url, "worker", "--study-name", "s", "train:objective")
    assert endless.status == 2 and "--max-trials" in endless.err and "--n-trials" in endless.err
    assert run("--storage", url, "worker", "--study-name", "s", "train:objective", "--n-trials", "2").status == 0
    assert len(albacore.load_study(study_name="s", storage=url).trials) == 2


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("train", "MODULE:FUNCTION"),
        ("no_such_module_xyz:f", "Cannot import"),
        ("train:missing", "no 'missing'"),
        ("train:not_callable", "not callable"),
    ],
)
def test_bad_objectives_are_explained(run: Run, url: str, module_dir: pathlib.Path, spec: str, words: str) -> None:
    run("--storage", url, "create-study", "--study-name", "s", "--max-trials", "2")
    failed = run("--storage", url, "worker", "--study-name", "s", spec)
    assert failed.status == 2 and words in failed.err


@pytest.mark.slow  # three Python processes start: seconds on a busy machine
def test_worker_processes_share_the_budget(url: str, module_dir: pathlib.Path) -> None:
    # Three worker commands as separate processes on one SQLite study with a budget of 12: at most one trial
    # more than the budget per other worker (see albacore/study/_max_trials.py), never fewer.
    albacore.create_study(storage=url, study_name="shared")
    from albacore.storages import get_storage
    from albacore.study._max_trials import set_max_trials

    storage = get_storage(url)
    set_max_trials(storage, storage.get_study_id_from_name("shared"), 12)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(module_dir), *sys.path])}
    command = [sys.executable, "-m", "albacore.cli", "--quiet", "--storage", url, "worker", "--study-name", "shared"]
    command += ["--sampler", "RandomSampler", "train:objective"]
    workers = [subprocess.Popen(command, env=env, cwd=module_dir) for _ in range(3)]
    assert [w.wait(timeout=300) for w in workers] == [0, 0, 0]
    trials = albacore.load_study(study_name="shared", storage=url).trials
    assert 12 <= len(trials) <= 14
    assert all(t.state == TrialState.COMPLETE for t in trials)
    assert [t.number for t in trials] == list(range(len(trials)))


@pytest.mark.parametrize("storage_kind", ["sqlite", "journal"])
def test_worker_heartbeats_fail_and_retry_a_dead_workers_trial(
    run: Run, tmp_path: pathlib.Path, module_dir: pathlib.Path, storage_kind: str
) -> None:
    url = f"sqlite:///{tmp_path / 'hb.db'}" if storage_kind == "sqlite" else f"journal://{tmp_path / 'hb.log'}"
    run("--storage", url, "create-study", "--study-name", "s", "--max-trials", "3")
    study = albacore.load_study(study_name="s", storage=url)
    dead = study.ask({"x": albacore.distributions.FloatDistribution(-10, 10)})  # its worker "died": never told
    dead.set_user_attr("where", "a preempted node")  # writes its parameter too
    study.tell(study.ask(), 1.0)
    stale = albacore.storages.get_storage(url)
    stale.set_trial_system_attr(dead._trial_id, "heartbeat", 0.0)  # its last beat, long ago
    worker = ("--storage", url, "worker", "--study-name", "s", "train:objective", "--sampler", "RandomSampler")
    done = run(*worker, "--heartbeat-interval", "5", "--max-retry", "1")
    assert done.status == 0, done.err
    trials = albacore.load_study(study_name="s", storage=url).trials
    assert trials[0].state == TrialState.FAIL
    retry = [t for t in trials if t.system_attrs.get("failed_trial") == 0]
    assert len(retry) == 1 and retry[0].state == TrialState.COMPLETE and retry[0].params == trials[0].params
    assert run(*worker, "--grace-period", "10").status == 2
