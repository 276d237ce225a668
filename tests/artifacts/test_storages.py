"""Artifacts on every storage, read back by a second client, and uploaded from worker processes."""

from __future__ import annotations

import pathlib
import uuid
from collections.abc import Callable

import pytest

import albacore
from albacore.artifacts import FileSystemArtifactStore, download_artifact, get_all_artifact_meta, upload_artifact
from albacore.storages import BaseStorage

StorageFactory = Callable[[], BaseStorage]


def test_uploads_to_a_study_a_trial_and_a_frozen_trial_are_listed_and_served_by_another_client(
    open_storage: StorageFactory, tmp_path: pathlib.Path
) -> None:
    store = FileSystemArtifactStore(tmp_path / "artifacts")
    name = f"artifacts-{uuid.uuid4().hex[:8]}"
    writer = open_storage()
    study = albacore.create_study(study_name=name, storage=writer)
    (tmp_path / "config.json").write_text('{"seed": 1}')
    (tmp_path / "model.bin").write_bytes(b"\x00\x01weights")
    study_artifact = upload_artifact(artifact_store=store, file_path=tmp_path / "config.json", study_or_trial=study)
    trial = study.ask()
    from_trial = upload_artifact(artifact_store=store, file_path=tmp_path / "model.bin", study_or_trial=trial)
    frozen = writer.get_trial(trial._trial_id)
    from_frozen = upload_artifact(
        artifact_store=store, file_path=tmp_path / "config.json", study_or_trial=frozen, storage=writer
    )
    study.tell(trial, 0.5)

    reader = albacore.load_study(study_name=name, storage=open_storage())
    assert [(m.artifact_id, m.filename, m.mimetype) for m in get_all_artifact_meta(reader)] == [
        (study_artifact, "config.json", "application/json")
    ]
    best = reader.best_trial
    metas = {m.artifact_id: m for m in get_all_artifact_meta(best, storage=reader._storage)}
    assert set(metas) == {from_trial, from_frozen}
    assert metas[from_trial].filename == "model.bin"
    download_artifact(artifact_store=store, file_path=tmp_path / "copy.bin", artifact_id=from_trial)
    assert (tmp_path / "copy.bin").read_bytes() == b"\x00\x01weights"


def _objective_uploading_to(store: FileSystemArtifactStore, folder: pathlib.Path) -> Callable[[albacore.Trial], float]:
    def objective(trial: albacore.Trial) -> float:
        x = trial.suggest_float("x", -1.0, 1.0)
        path = folder / f"trial-{trial.number}.txt"
        path.write_text(f"{trial.number}:{x!r}")
        upload_artifact(artifact_store=store, file_path=path, study_or_trial=trial)
        return x * x

    return objective


@pytest.mark.parametrize("kind", ["inmemory", "sqlite"])
def test_worker_processes_upload_artifacts_of_their_trials(kind: str, tmp_path: pathlib.Path) -> None:
    storage = None if kind == "inmemory" else f"sqlite:///{tmp_path / 'study.db'}"
    store = FileSystemArtifactStore(tmp_path / "artifacts")
    study = albacore.create_study(storage=storage)
    study.optimize(_objective_uploading_to(store, tmp_path), n_trials=6, n_processes=2)

    trials = study.trials
    assert len(trials) == 6
    for trial in trials:
        [meta] = get_all_artifact_meta(trial, storage=study._storage)
        assert meta.filename == f"trial-{trial.number}.txt"
        target = tmp_path / f"download-{trial.number}.txt"
        download_artifact(artifact_store=store, file_path=target, artifact_id=meta.artifact_id)
        assert target.read_text() == f"{trial.number}:{trial.params['x']!r}"
    assert len(list((tmp_path / "artifacts").iterdir())) == 6
