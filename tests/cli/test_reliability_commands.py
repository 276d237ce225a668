"""``albacore trials reap`` and ``albacore storage repair``."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import albacore
from albacore.cli import main
from albacore.exceptions import StorageCorruptedError
from albacore.storages import RetryHeartbeatStaleTrialCallback, get_storage
from albacore.trial import TrialState


def _study_with_orphan(url: str) -> albacore.Study:
    study = albacore.create_study(storage=url, study_name="s")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    orphan = study.ask()
    orphan.suggest_float("x", 0, 1)
    orphan.report(0.5, 0)  # its parameters reach the storage, then the worker "dies"
    study._storage.set_trial_system_attr(orphan._trial_id, "heartbeat", time.time() - 600)
    return study


def test_reap_fails_stale_trials_and_retries_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"journal://{tmp_path / 'j.log'}"
    _study_with_orphan(url)
    args = ["--storage", url, "trials", "reap", "--study-name", "s", "--grace-period", "60", "--retry", "-f", "json"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out) == [{"failed_trial": 2, "retried": True}]
    trials = albacore.load_study(study_name="s", storage=get_storage(url)).trials
    assert trials[2].state == TrialState.FAIL
    assert (
        trials[3].state == TrialState.WAITING and RetryHeartbeatStaleTrialCallback.retried_trial_number(trials[3]) == 2
    )
    assert main(args) == 0  # nothing stale any more: each trial is reaped once
    assert json.loads(capsys.readouterr().out) == []


def test_reap_needs_a_grace_period_when_the_storage_has_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"journal://{tmp_path / 'j.log'}"
    _study_with_orphan(url)
    assert main(["--storage", url, "trials", "reap", "--study-name", "s"]) == 2
    assert "--grace-period" in capsys.readouterr().err


def test_repair_makes_a_damaged_journal_readable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "j.log"
    url = f"journal://{path}"
    study = albacore.create_study(storage=url, study_name="s")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle] ^= 0x55
    path.write_bytes(bytes(data))
    with pytest.raises(StorageCorruptedError, match="albacore storage repair"):
        get_storage(url).get_all_studies()
    assert main(["--storage", url, "storage", "repair", "-f", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["damaged_ranges"] and report["corrupt_path"]
    assert albacore.get_all_study_names(get_storage(url)) == ["s"]


def test_repair_refuses_other_storages(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--storage", "sqlite://", "storage", "repair"]) == 2
    assert "journal files" in capsys.readouterr().err
