"""Trackers read only what changed; storage arguments expand to URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

import albacore
from albacore.dashboard._sources import Sources, expand_storage_urls
from albacore.exceptions import InvalidArgumentError, StudyNotFoundError
from albacore.trial import TrialState


def test_refresh_reports_new_and_changed_trials_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    study = albacore.create_study(study_name="s", storage=url)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    running = study.ask()
    tracker = Sources([url]).tracker(0, study._study_id)
    assert tracker.refresh() == [0, 1, 2, 3]
    version = tracker.version
    assert tracker.refresh() == []
    assert tracker.version == version
    # Another client (as another process would) ends the running trial and adds one.
    other = albacore.load_study(study_name="s", storage=url)
    other.tell(running.number, 0.5)
    other.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert tracker.refresh() == [3, 4]
    assert tracker.version == version + 1
    summary = tracker.summary()
    assert summary["counts"]["COMPLETE"] == 5 and summary["counts"]["RUNNING"] == 0
    best = min(range(5), key=lambda n: other.trials[n].value or 0.0)
    assert summary["best"] == {"number": best, "value": other.trials[best].value}


def test_counts_follow_state_changes_of_running_trials() -> None:
    storage = albacore.storages.InMemoryStorage()
    study = albacore.create_study(storage=storage, direction="maximize")
    trials = [study.ask() for _ in range(3)]
    tracker = Sources([storage]).tracker(0, study._study_id)
    tracker.refresh()
    assert tracker.counts["RUNNING"] == 3
    study.tell(trials[0], 1.0)
    study.tell(trials[1], state=TrialState.PRUNED)
    tracker.refresh()
    assert (tracker.counts["RUNNING"], tracker.counts["COMPLETE"], tracker.counts["PRUNED"]) == (1, 1, 1)
    assert tracker.best() == {"number": 0, "value": 1.0}


def test_unknown_studies_and_storages() -> None:
    sources = Sources([albacore.storages.InMemoryStorage()])
    with pytest.raises(StudyNotFoundError):
        sources.tracker(3, 0)
    with pytest.raises(KeyError):
        sources.tracker(0, 12345)


def test_directories_expand_to_their_databases_and_journals(tmp_path: Path) -> None:
    for name in ("a.db", "b.log", "notes.txt"):
        (tmp_path / name).write_text("")
    (tmp_path / "sub").mkdir()
    assert expand_storage_urls([str(tmp_path)]) == [f"sqlite:///{tmp_path / 'a.db'}", f"journal://{tmp_path / 'b.log'}"]
    assert expand_storage_urls([str(tmp_path / "a.db"), "postgresql://u@h/db"]) == [
        f"sqlite:///{tmp_path / 'a.db'}",
        "postgresql://u@h/db",
    ]
    with pytest.raises(InvalidArgumentError, match=r"notes\.txt"):
        expand_storage_urls([str(tmp_path / "notes.txt")])


def test_labels_hide_passwords() -> None:
    sources = Sources(["postgresql://user:secret@127.0.0.1:1/none"])
    assert sources.entries[0].label == "postgresql://user@127.0.0.1:1/none"
    assert sources.entries[0].error is not None and "secret" not in sources.entries[0].error
