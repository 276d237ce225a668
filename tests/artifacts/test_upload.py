"""upload_artifact, get_all_artifact_meta and download_artifact: what is recorded where, and what errors leave."""

from __future__ import annotations

import io
import json
import pathlib
import subprocess
import sys
import uuid
from typing import BinaryIO

import pytest

import albacore
from albacore.artifacts import (
    ArtifactMeta,
    ArtifactStore,
    FileSystemArtifactStore,
    download_artifact,
    get_all_artifact_meta,
    upload_artifact,
)
from albacore.artifacts.exceptions import ArtifactNotFound
from albacore.exceptions import InvalidArgumentError, UpdateFinishedTrialError
from albacore.storages import InMemoryStorage
from albacore.trial import FixedTrial


@pytest.fixture
def store(tmp_path: pathlib.Path) -> FileSystemArtifactStore:
    return FileSystemArtifactStore(tmp_path / "store")


def _file(tmp_path: pathlib.Path, name: str = "model.txt", content: bytes = b"weights") -> pathlib.Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _stored(store_dir: pathlib.Path) -> list[str]:
    return sorted(p.name for p in store_dir.iterdir()) if store_dir.exists() else []


def test_metadata_is_recorded_in_optunas_layout_on_trials_and_studies(
    tmp_path: pathlib.Path, store: FileSystemArtifactStore
) -> None:
    study = albacore.create_study()
    trial = study.ask()
    trial_artifact = upload_artifact(artifact_store=store, file_path=_file(tmp_path), study_or_trial=trial)
    study_artifact = upload_artifact(artifact_store=store, file_path=str(_file(tmp_path)), study_or_trial=study)

    frozen = study.trials[0]
    assert json.loads(frozen.system_attrs[f"artifacts:{trial_artifact}"]) == {
        "artifact_id": trial_artifact,
        "filename": "model.txt",
        "mimetype": "text/plain",
        "encoding": None,
    }
    assert json.loads(study.system_attrs[f"artifacts:{study_artifact}"])["artifact_id"] == study_artifact
    assert f"artifacts:{trial_artifact}" in trial.system_attrs  # the running trial's own view is current
    # A study lists its own artifacts, not its trials'.
    assert [m.artifact_id for m in get_all_artifact_meta(study)] == [study_artifact]
    assert [m.artifact_id for m in get_all_artifact_meta(trial)] == [trial_artifact]
    assert _stored(tmp_path / "store") == sorted([trial_artifact, study_artifact])


def test_ids_are_fresh_uuids_whatever_the_file_is_called(
    tmp_path: pathlib.Path, store: FileSystemArtifactStore
) -> None:
    study = albacore.create_study()
    path = _file(tmp_path, "..strange name.txt")
    first = upload_artifact(artifact_store=store, file_path=path, study_or_trial=study)
    second = upload_artifact(artifact_store=store, file_path=path, study_or_trial=study)
    assert first != second
    assert str(uuid.UUID(first)) == first and str(uuid.UUID(second)) == second
    assert [m.filename for m in get_all_artifact_meta(study)] == ["..strange name.txt"] * 2


@pytest.mark.parametrize(
    ("filename", "mimetype", "encoding", "expected"),
    [
        ("model.txt", None, None, ("text/plain", None)),
        ("logs.tar.gz", None, None, ("application/x-tar", "gzip")),
        ("checkpoint.unknownext", None, None, ("application/octet-stream", None)),
        ("mesh.obj", "model/obj", "utf-8", ("model/obj", "utf-8")),
    ],
)
def test_mimetype_and_encoding_are_given_or_guessed_from_the_file_name(
    tmp_path: pathlib.Path,
    store: FileSystemArtifactStore,
    filename: str,
    mimetype: str | None,
    encoding: str | None,
    expected: tuple[str, str | None],
) -> None:
    study = albacore.create_study()
    upload_artifact(
        artifact_store=store,
        file_path=_file(tmp_path, filename),
        study_or_trial=study,
        mimetype=mimetype,
        encoding=encoding,
    )
    [meta] = get_all_artifact_meta(study)
    assert (meta.filename, meta.mimetype, meta.encoding) == (filename, *expected)


def test_a_frozen_trial_needs_its_storage_given_as_an_object_or_a_url(
    tmp_path: pathlib.Path, store: FileSystemArtifactStore
) -> None:
    url = f"sqlite:///{tmp_path / 'study.db'}"
    study = albacore.create_study(storage=url)
    study.ask()
    frozen = study.trials[0]
    with pytest.raises(InvalidArgumentError, match="needs `storage=` for a FrozenTrial"):
        upload_artifact(artifact_store=store, file_path=_file(tmp_path), study_or_trial=frozen)
    with pytest.raises(ValueError, match="needs `storage=`"):
        get_all_artifact_meta(frozen)
    assert _stored(tmp_path / "store") == []

    artifact_id = upload_artifact(artifact_store=store, file_path=_file(tmp_path), study_or_trial=frozen, storage=url)
    assert [m.artifact_id for m in get_all_artifact_meta(frozen, storage=url)] == [artifact_id]


def test_finished_trials_take_no_artifact_and_nothing_is_left_in_the_store(
    tmp_path: pathlib.Path, store: FileSystemArtifactStore
) -> None:
    storage = InMemoryStorage()
    study = albacore.create_study(storage=storage)
    trial = study.ask()
    study.tell(trial, 1.0)
    with pytest.raises(UpdateFinishedTrialError, match="Nothing was uploaded"):
        upload_artifact(
            artifact_store=store, file_path=_file(tmp_path), study_or_trial=study.trials[0], storage=storage
        )
    # The handle still says RUNNING-era things; the storage refuses the record and the upload is taken back.
    with pytest.raises(UpdateFinishedTrialError):
        upload_artifact(artifact_store=store, file_path=_file(tmp_path), study_or_trial=trial)
    assert _stored(tmp_path / "store") == []
    assert get_all_artifact_meta(study.trials[0], storage=storage) == []


class _FailingStore:
    def open_reader(self, artifact_id: str) -> BinaryIO:
        raise ArtifactNotFound(artifact_id)

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        raise OSError("disk full")

    def remove(self, artifact_id: str) -> None:
        raise ArtifactNotFound(artifact_id)


def test_a_failed_store_write_records_nothing(tmp_path: pathlib.Path) -> None:
    study = albacore.create_study()
    trial = study.ask()
    store: ArtifactStore = _FailingStore()
    with pytest.raises(OSError, match="disk full"):
        upload_artifact(artifact_store=store, file_path=_file(tmp_path), study_or_trial=trial)
    assert get_all_artifact_meta(trial) == []
    assert isinstance(store, ArtifactStore)  # the protocol is checkable at run time


def test_other_objects_than_studies_and_trials_are_refused(
    tmp_path: pathlib.Path, store: FileSystemArtifactStore
) -> None:
    with pytest.raises(InvalidArgumentError, match="got FixedTrial"):
        upload_artifact(artifact_store=store, file_path=_file(tmp_path), study_or_trial=FixedTrial({}))  # type: ignore[arg-type]
    assert _stored(tmp_path / "store") == []


def test_the_first_three_arguments_may_still_come_by_position_with_a_warning(
    tmp_path: pathlib.Path, store: FileSystemArtifactStore
) -> None:
    study = albacore.create_study()
    path = str(_file(tmp_path))
    with pytest.warns(FutureWarning, match="study_or_trial, file_path, artifact_store"):
        upload_artifact(study, path, store)  # type: ignore[misc]
    with pytest.warns(FutureWarning, match=r"study_or_trial=\.\.\."):
        upload_artifact(study, file_path=path, artifact_store=store)  # type: ignore[misc]
    assert len(get_all_artifact_meta(study)) == 2
    with pytest.raises(TypeError, match="multiple values for argument 'file_path'"):
        upload_artifact(study, path, file_path=path, artifact_store=store)  # type: ignore[misc]
    with pytest.raises(TypeError, match="at most 3 positional arguments"):
        upload_artifact(study, path, store, None)  # type: ignore[misc]


def test_download_writes_the_artifact_whole_and_never_overwrites(
    tmp_path: pathlib.Path, store: FileSystemArtifactStore
) -> None:
    study = albacore.create_study()
    artifact_id = upload_artifact(
        artifact_store=store, file_path=_file(tmp_path, content=b"x" * 100_000), study_or_trial=study
    )
    target = tmp_path / "out" / "model.txt"
    target.parent.mkdir()
    download_artifact(artifact_store=store, file_path=target, artifact_id=artifact_id)
    assert target.read_bytes() == b"x" * 100_000
    assert _stored(target.parent) == ["model.txt"]

    target.write_bytes(b"mine")
    with pytest.raises(FileExistsError, match="does not overwrite"):
        download_artifact(artifact_store=store, file_path=str(target), artifact_id=artifact_id)
    assert target.read_bytes() == b"mine"
    with pytest.raises(ArtifactNotFound):
        download_artifact(artifact_store=store, file_path=target.parent / "other", artifact_id=str(uuid.uuid4()))
    assert _stored(target.parent) == ["model.txt"]


def test_unreadable_metadata_entries_are_skipped_with_a_warning() -> None:
    study = albacore.create_study()
    good = ArtifactMeta("a1", "f.txt", "text/plain", None)
    study.set_system_attr("artifacts:a1", good.to_json())
    study.set_system_attr("artifacts:broken", "{not json")
    study.set_system_attr("artifacts:partial", json.dumps({"artifact_id": "p"}))
    study.set_system_attr("unrelated", "kept out")
    with pytest.warns(UserWarning) as caught:
        metas = get_all_artifact_meta(study)
    assert metas == [good]
    assert sorted(str(w.message).split("'")[1] for w in caught) == ["artifacts:broken", "artifacts:partial"]


def test_a_store_can_be_any_object_with_the_three_methods(tmp_path: pathlib.Path) -> None:
    class DictStore:
        def __init__(self) -> None:
            self.data: dict[str, bytes] = {}

        def open_reader(self, artifact_id: str) -> BinaryIO:
            return io.BytesIO(self.data[artifact_id])

        def write(self, artifact_id: str, content_body: BinaryIO) -> None:
            self.data[artifact_id] = content_body.read()

        def remove(self, artifact_id: str) -> None:
            del self.data[artifact_id]

    study = albacore.create_study()
    dict_store = DictStore()
    artifact_id = upload_artifact(artifact_store=dict_store, file_path=_file(tmp_path), study_or_trial=study)
    download_artifact(artifact_store=dict_store, file_path=tmp_path / "copy", artifact_id=artifact_id)
    assert (tmp_path / "copy").read_bytes() == b"weights"


def test_importing_albacore_and_its_stores_loads_no_cloud_library() -> None:
    code = (
        "import sys, albacore; from albacore.artifacts import Boto3ArtifactStore, GCSArtifactStore; "
        "print(sorted(m for m in ('boto3', 'botocore', 'google.cloud.storage', 'moto') if m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"
