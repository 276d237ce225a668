"""Many worker processes on one study, and workers killed mid-trial, on every database backend."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

import albacore
from albacore.trial import TrialState

BACKENDS = ["sqlite", "postgresql", "mysql"]

WORKER = textwrap.dedent(
    """
    import sys, time
    import albacore
    albacore.logging.set_verbosity(albacore.logging.WARNING)
    url, name, seed, n_trials, hang_at, flag, record = sys.argv[1:8]
    study = albacore.create_study(
        storage=url, study_name=name, load_if_exists=True,
        sampler=albacore.samplers.RandomSampler(seed=int(seed)),
    )

    def objective(trial):
        x = trial.suggest_float("x", -5, 5)
        n = trial.suggest_int("n", 0, 10)
        c = trial.suggest_categorical("c", ["a", "b", None])
        if trial.number == int(hang_at):
            open(flag, "w").close()
            time.sleep(600)
        return x * x + n + (c is None)

    def remember(study, trial):
        # Written after tell() returned: every number here must survive a kill.
        with open(record, "a") as out:
            out.write(f"{trial.number}\\n")

    study.optimize(objective, n_trials=int(n_trials), callbacks=[remember] if record != "-" else None)
    """
)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> str:
    backend = request.param
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'processes.db'}"
    fixture = "postgres_url" if backend == "postgresql" else "mysql_url"
    return str(request.getfixturevalue(fixture))


def _spawn(
    url: str, name: str, seed: int, n_trials: int, *, hang_at: int = -1, flag: str = "-", record: str = "-"
) -> subprocess.Popen[str]:
    args = [sys.executable, "-c", WORKER, url, name, str(seed), str(n_trials), str(hang_at), flag, record]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _check_complete(study: albacore.Study, expected: int) -> None:
    trials = study.get_trials(deepcopy=False)
    assert [t.number for t in trials] == list(range(expected))
    assert len({t._trial_id for t in trials}) == expected
    for trial in trials:
        assert trial.state == TrialState.COMPLETE, trial
        assert set(trial.params) == {"x", "n", "c"} and trial.value is not None


@pytest.mark.slow
@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_eight_processes_one_study(database_url: str) -> None:
    name = f"procs-{uuid.uuid4().hex[:8]}"
    albacore.create_study(storage=database_url, study_name=name)
    workers = [_spawn(database_url, name, seed, 100) for seed in range(8)]
    for worker in workers:
        _, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err
        assert "Traceback" not in err and "locked" not in err, err
    _check_complete(albacore.load_study(study_name=name, storage=database_url), 800)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_killed_worker_loses_no_finished_trial(database_url: str, tmp_path: pathlib.Path) -> None:
    name = f"kill-{uuid.uuid4().hex[:8]}"
    flag, record = tmp_path / "hanging", tmp_path / "told.txt"
    worker = _spawn(database_url, name, 0, 1000, hang_at=25, flag=str(flag), record=str(record))
    deadline = time.monotonic() + 300
    while not flag.exists():
        assert worker.poll() is None, worker.communicate()[1]
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)
    worker.communicate()
    told = [int(line) for line in record.read_text().split()]
    assert told == list(range(25))

    study = albacore.load_study(study_name=name, storage=database_url)
    trials = study.get_trials(deepcopy=False)
    assert [t.number for t in trials] == list(range(26))
    assert all(t.state == TrialState.COMPLETE and t.value is not None for t in trials[:25])
    assert trials[25].state == TrialState.RUNNING  # the killed one; failing it is the heartbeat's job

    again = _spawn(database_url, name, 1, 5)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    trials = albacore.load_study(study_name=name, storage=database_url).get_trials(deepcopy=False)
    assert [t.number for t in trials] == list(range(31))
    assert sum(t.state == TrialState.COMPLETE for t in trials) == 30
