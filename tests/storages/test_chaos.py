"""Chaos: workers killed with SIGKILL at fixed and random points leave no trial RUNNING forever.

After the kills, a fresh worker's ``optimize`` (its ``ask`` reaps stale trials) must fail each orphaned trial exactly
once and run exactly one retry of it with its parameters (RELIABILITY promise 2), on every storage that processes
share: SQLite, PostgreSQL, MariaDB, a journal file and Redis.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

import albacore
from albacore.storages import RetryHeartbeatStaleTrialCallback
from albacore.trial import TrialState

pytestmark = pytest.mark.slow

WORKER = Path(__file__).with_name("_chaos_worker.py")
KILL_POINTS = ("after_create", "between_params", "before_tell")
GRACE = 3.0


@pytest.fixture(params=["sqlite", "postgresql", "mysql", "journal", "redis"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    kind = request.param
    if kind == "sqlite":
        return kind, str(tmp_path / "chaos.db")
    if kind == "journal":
        return kind, str(tmp_path / "chaos.log")
    if kind == "redis":
        url = os.environ.get("ALBACORE_TEST_REDIS_URL")
        if not url:
            pytest.skip("set ALBACORE_TEST_REDIS_URL to run the Redis chaos test")
        return kind, url
    fixture = "postgres_url" if kind == "postgresql" else "mysql_url"
    return kind, str(request.getfixturevalue(fixture))


def _worker(kind: str, location: str, study: str, kill_point: str, n_trials: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    args = [sys.executable, str(WORKER), kind, location, study, kill_point, str(n_trials)]
    return subprocess.Popen(args, env=env, stderr=subprocess.PIPE)


def _finish(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    """Wait for a worker and return its exit code and what it printed on stderr (closing the pipe)."""
    _, err = proc.communicate(timeout=180)
    return proc.returncode, err.decode(errors="replace")


def _load(kind: str, location: str, study_name: str) -> albacore.Study:
    sys.path.insert(0, str(WORKER.parent))
    try:
        from _chaos_worker import make_storage
    finally:
        sys.path.pop(0)
    return albacore.load_study(study_name=study_name, storage=make_storage(kind, location, study_name))


def test_killed_workers_trials_are_reaped_once_and_retried_once(location: tuple[str, str]) -> None:
    kind, where = location
    study_name = f"chaos-{uuid.uuid4().hex[:8]}"
    code, err = _finish(_worker(kind, where, study_name, "none", 3))
    assert code == 0, err

    # Fixed points: each of these workers dies inside its first trial.
    killed = [_worker(kind, where, study_name, point, 5) for point in KILL_POINTS]
    for proc in killed:
        assert _finish(proc)[0] == -signal.SIGKILL
    # A random point: a worker running many trials is killed at a random moment.
    victim = _worker(kind, where, study_name, "none", 10_000)
    time.sleep(random.uniform(1.5, 3.0))
    victim.send_signal(signal.SIGKILL)
    _finish(victim)

    # The victim may already have reaped some orphans at its own ask(): stale trials are failed by any worker.
    study = _load(kind, where, study_name)
    n_running = sum(t.state == TrialState.RUNNING for t in study.get_trials(deepcopy=False))
    time.sleep(GRACE + 1.5)  # let every orphan's heartbeat go stale

    # Two reapers race; then a healthy worker runs the retries.
    reapers = [_worker(kind, where, study_name, "none", 1) for _ in range(2)]
    for proc in reapers:
        code, err = _finish(proc)
        assert code == 0, err
    code, err = _finish(_worker(kind, where, study_name, "none", n_running + 4))
    assert code == 0, err

    trials = _load(kind, where, study_name).get_trials(deepcopy=False)
    assert sorted(t.number for t in trials) == list(range(len(trials)))
    assert not [t for t in trials if t.state == TrialState.RUNNING]
    # The objective never raises, so every FAIL trial is an orphan of a killed worker, failed exactly once.
    orphans = [t for t in trials if t.state == TrialState.FAIL]
    assert len(orphans) >= len(KILL_POINTS)
    for orphan in orphans:
        retries = [t for t in trials if RetryHeartbeatStaleTrialCallback.retried_trial_number(t) == orphan.number]
        if RetryHeartbeatStaleTrialCallback.retried_trial_number(orphan) is not None:
            assert not retries  # max_retry=1: a failed retry is not retried again
            continue
        assert len(retries) == 1, f"trial {orphan.number} was retried {len(retries)} times"
        retry = retries[0]
        assert retry.state in (TrialState.COMPLETE, TrialState.WAITING, TrialState.FAIL)
        if "x" in orphan.params:  # what reached the storage before the kill is retried as is
            assert retry.params["x"] == orphan.params["x"]
