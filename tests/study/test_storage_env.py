"""ALBACORE_STORAGE, and the hint at the end of a long optimize in memory."""

from __future__ import annotations

import pathlib

import pytest

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.storages import InMemoryStorage
from albacore.study import _optimize


def test_create_and_load_study_without_storage_use_the_variable(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("ALBACORE_STORAGE", url)
    albacore.create_study(study_name="nb").optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert len(albacore.load_study(study_name="nb").trials) == 2
    assert len(albacore.load_study(study_name="nb", storage=url).trials) == 2
    # A storage given explicitly wins over the variable.
    assert isinstance(albacore.create_study(storage=InMemoryStorage())._storage, InMemoryStorage)


def test_without_the_variable_studies_live_in_memory_and_load_study_needs_a_storage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ALBACORE_STORAGE", raising=False)
    assert isinstance(albacore.create_study()._storage, InMemoryStorage)
    monkeypatch.setenv("ALBACORE_STORAGE", "")
    assert isinstance(albacore.create_study()._storage, InMemoryStorage)
    with pytest.raises(InvalidArgumentError, match="ALBACORE_STORAGE"):
        albacore.load_study(study_name="nb")


def _hints(caplog: pytest.LogCaptureFixture) -> int:
    return sum("in memory" in r.getMessage() and "ALBACORE_STORAGE" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("threshold, expected", [(0.0, 1), (1e9, 0)])
def test_a_long_study_in_memory_says_once_how_to_keep_the_next(
    threshold: float, expected: int, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("ALBACORE_STORAGE", raising=False)
    monkeypatch.setattr(_optimize, "MEMORY_HINT_AFTER_SECONDS", threshold)
    study = albacore.create_study()
    for _ in range(3):
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert _hints(caplog) == expected


def test_a_persisted_study_gets_no_hint(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(_optimize, "MEMORY_HINT_AFTER_SECONDS", 0.0)
    study = albacore.create_study(storage=f"sqlite:///{tmp_path / 'p.db'}")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert _hints(caplog) == 0
