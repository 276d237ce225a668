"""Artifact metadata: what an upload records in the study's storage, and how it is listed."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from albacore.exceptions import InvalidArgumentError
from albacore.study import Study
from albacore.trial import FrozenTrial, Trial

if TYPE_CHECKING:
    from albacore.storages import BaseStorage

__all__ = ["ARTIFACTS_ATTR_PREFIX", "ArtifactMeta", "Owner", "get_all_artifact_meta", "owner_of"]

ARTIFACTS_ATTR_PREFIX = "artifacts:"
"""System attribute key prefix of an artifact's metadata (the key is the prefix and the artifact id).

The value is a JSON text with ``artifact_id``, ``filename``, ``mimetype`` and ``encoding``: the layout Optuna
writes, so that databases and journals written by either library list the same artifacts.
"""


@dataclass
class ArtifactMeta:
    """What is known about one uploaded artifact; :func:`get_all_artifact_meta` lists them.

    Attributes:
        artifact_id: The id to pass to :func:`~albacore.artifacts.download_artifact` or a store's
            ``open_reader``.
        filename: The name of the uploaded file (without its directory).
        mimetype: The MIME type given at upload, else guessed from the file name, else
            ``application/octet-stream``.
        encoding: The encoding given at upload (a ``Content-Encoding`` such as ``gzip``), else guessed from the
            file name, else None.
    """

    artifact_id: str
    filename: str
    mimetype: str
    encoding: str | None

    def to_json(self) -> str:
        """The system attribute value that records this artifact."""
        return json.dumps(
            {
                "artifact_id": self.artifact_id,
                "filename": self.filename,
                "mimetype": self.mimetype,
                "encoding": self.encoding,
            }
        )


@dataclass(frozen=True)
class Owner:
    """Reads and writes the system attributes of the study or trial that artifacts belong to."""

    system_attrs: Callable[[], dict[str, Any]]
    set_system_attr: Callable[[str, Any], None]


def owner_of(study_or_trial: object, storage: BaseStorage | str | None, function: str) -> Owner:
    """Resolve ``study_or_trial`` to where its artifacts' metadata lives.

    A Study or Trial knows its storage and always uses it (``storage`` is for FrozenTrials): writing a running
    trial through its own handle keeps every cached view of it current, in this process and in the parent of a
    worker process.

    Raises:
        InvalidArgumentError: ``study_or_trial`` is of another type, or a FrozenTrial comes without storage.
    """
    if isinstance(study_or_trial, Study):
        study = study_or_trial
        return Owner(lambda: study._storage.get_study_system_attrs(study._study_id), study.set_system_attr)
    if isinstance(study_or_trial, Trial):
        trial = study_or_trial
        return Owner(lambda: trial.study._storage.get_trial(trial._trial_id).system_attrs, trial.set_system_attr)
    if isinstance(study_or_trial, FrozenTrial):
        if storage is None:
            raise InvalidArgumentError(
                f"{function} needs `storage=` for a FrozenTrial, which does not know where it is stored; pass "
                "the storage of the trial's study."
            )
        # Imported here: albacore.storages must load after albacore.study, which `import albacore` ensures.
        from albacore.storages import get_storage

        target = get_storage(storage)
        trial_id = study_or_trial._trial_id
        return Owner(
            lambda: target.get_trial(trial_id).system_attrs,
            lambda key, value: target.set_trial_system_attr(trial_id, key, value),
        )
    raise InvalidArgumentError(
        f"{function} expects `study_or_trial` to be a Study, Trial or FrozenTrial, got {type(study_or_trial).__name__}."
    )


def get_all_artifact_meta(
    study_or_trial: Trial | FrozenTrial | Study, *, storage: BaseStorage | str | None = None
) -> list[ArtifactMeta]:
    """List the artifacts uploaded to a study or a trial, in the order the storage keeps them.

    For a study, this lists the artifacts uploaded to the study itself, not those of its trials.

    Args:
        study_or_trial: A :class:`~albacore.study.Study`, :class:`~albacore.trial.Trial` or
            :class:`~albacore.trial.FrozenTrial`.
        storage: The storage (or storage URL) of a FrozenTrial's study; a Study or Trial uses its own.

    Returns:
        One :class:`ArtifactMeta` per artifact. Entries whose recorded metadata cannot be read are skipped with
        a warning that names their key.

    Example:
        >>> import pathlib, tempfile
        >>> import albacore
        >>> from albacore.artifacts import FileSystemArtifactStore, get_all_artifact_meta, upload_artifact
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> (folder / "notes.txt").write_text("lr=0.01")
        7
        >>> study = albacore.create_study()
        >>> trial = study.ask()
        >>> artifact_id = upload_artifact(
        ...     artifact_store=FileSystemArtifactStore(folder / "artifacts"),
        ...     file_path=str(folder / "notes.txt"),
        ...     study_or_trial=trial,
        ... )
        >>> [(meta.filename, meta.mimetype) for meta in get_all_artifact_meta(trial)]
        [('notes.txt', 'text/plain')]
    """
    owner = owner_of(study_or_trial, storage, "get_all_artifact_meta")
    metas: list[ArtifactMeta] = []
    for key, value in owner.system_attrs().items():
        if key.startswith(ARTIFACTS_ATTR_PREFIX):
            meta = _decode(key, value)
            if meta is not None:
                metas.append(meta)
    return metas


def _decode(key: str, value: Any) -> ArtifactMeta | None:
    try:
        fields = json.loads(value) if isinstance(value, str) else value
        meta = ArtifactMeta(
            artifact_id=fields["artifact_id"],
            filename=fields["filename"],
            mimetype=fields["mimetype"],
            encoding=fields.get("encoding"),
        )
        if not all(isinstance(field, str) for field in (meta.artifact_id, meta.filename, meta.mimetype)):
            raise TypeError("artifact_id, filename and mimetype must be strings")
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        warnings.warn(f"Skipping the artifact metadata under {key!r}, which cannot be read: {err!r}.", stacklevel=3)
        return None
    return meta
