"""Artifacts: files (models, plots, checkpoints) attached to studies and trials, kept in an artifact store.

The bytes go to a store (:class:`FileSystemArtifactStore`, :class:`Boto3ArtifactStore` for S3,
:class:`GCSArtifactStore`, or any object with the three :class:`ArtifactStore` methods, optionally wrapped in
:class:`Backoff`); what each artifact is (:class:`ArtifactMeta`) is recorded in the study's storage, so it works
on every storage and from every worker. Uploads and downloads stream, so an artifact may exceed memory.

Example:
    >>> import pathlib, tempfile
    >>> import albacore
    >>> from albacore.artifacts import FileSystemArtifactStore, get_all_artifact_meta, upload_artifact
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "config.json").write_text('{"seed": 0}')
    >>> study = albacore.create_study()
    >>> artifact_id = upload_artifact(
    ...     artifact_store=FileSystemArtifactStore(folder / "artifacts"),
    ...     file_path=folder / "config.json",
    ...     study_or_trial=study,
    ... )
    >>> [(meta.filename, meta.mimetype) for meta in get_all_artifact_meta(study)]
    [('config.json', 'application/json')]
"""

from albacore.artifacts import exceptions as exceptions  # the submodule, as in optuna.artifacts
from albacore.artifacts._backoff import Backoff
from albacore.artifacts._boto3 import Boto3ArtifactStore
from albacore.artifacts._filesystem import FileSystemArtifactStore
from albacore.artifacts._gcs import GCSArtifactStore
from albacore.artifacts._meta import ArtifactMeta, get_all_artifact_meta
from albacore.artifacts._protocol import ArtifactStore
from albacore.artifacts._upload import download_artifact, upload_artifact

__all__ = [
    "ArtifactMeta",
    "ArtifactStore",
    "Backoff",
    "Boto3ArtifactStore",
    "FileSystemArtifactStore",
    "GCSArtifactStore",
    "download_artifact",
    "get_all_artifact_meta",
    "upload_artifact",
]
