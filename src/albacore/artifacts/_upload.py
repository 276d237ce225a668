"""upload_artifact and download_artifact: a file into an artifact store and back, streamed."""

from __future__ import annotations

import contextlib
import functools
import mimetypes
import os
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from albacore.artifacts._filesystem import write_through_temporary
from albacore.artifacts._meta import ARTIFACTS_ATTR_PREFIX, ArtifactMeta, owner_of
from albacore.exceptions import UpdateFinishedTrialError
from albacore.trial import FrozenTrial

if TYPE_CHECKING:
    from albacore.artifacts._protocol import ArtifactStore
    from albacore.storages import BaseStorage
    from albacore.study import Study
    from albacore.trial import Trial

__all__ = ["DEFAULT_MIME_TYPE", "download_artifact", "upload_artifact"]

DEFAULT_MIME_TYPE = "application/octet-stream"
"""The MIME type of an upload whose type is neither given nor guessable from its file name."""

_F = TypeVar("_F", bound=Callable[..., Any])


def _keywords_once_positional(*names: str) -> Callable[[_F], _F]:
    """Accept the leading arguments ``names`` positionally too, with a FutureWarning (Optuna 3 callers do)."""

    def decorate(func: _F) -> _F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if args:
                if len(args) > len(names):
                    raise TypeError(
                        f"{func.__name__}() takes at most {len(names)} positional arguments, got {len(args)}."
                    )
                given = names[: len(args)]
                for name in given:
                    if name in kwargs:
                        raise TypeError(f"{func.__name__}() got multiple values for argument {name!r}.")
                warnings.warn(
                    f"Passing {', '.join(given)} to {func.__name__}() by position is deprecated; pass them by keyword "
                    f"({', '.join(f'{name}=...' for name in given)}).",
                    FutureWarning,
                    stacklevel=2,
                )
                kwargs.update(zip(given, args, strict=True))
            return func(**kwargs)

        return cast(_F, wrapper)

    return decorate


@_keywords_once_positional("study_or_trial", "file_path", "artifact_store")
def upload_artifact(
    *,
    artifact_store: ArtifactStore,
    file_path: str | os.PathLike[str],
    study_or_trial: Trial | FrozenTrial | Study,
    storage: BaseStorage | str | None = None,
    mimetype: str | None = None,
    encoding: str | None = None,
) -> str:
    """Upload a file to an artifact store and record it on a study or a trial.

    The artifact's id is generated (a UUID), never derived from the file name. The file streams into the store
    in chunks, so its size is not limited by memory. Its metadata (:class:`ArtifactMeta`) is recorded in the
    study's storage only once the store holds the complete file; if recording fails, the stored file is removed
    again, so an error leaves nothing behind. Works from worker processes of ``optimize(n_processes=...)`` too.

    Args:
        artifact_store: Where the file goes, for example a :class:`FileSystemArtifactStore`.
        file_path: The file to upload.
        study_or_trial: The :class:`~albacore.study.Study`, running :class:`~albacore.trial.Trial` or
            :class:`~albacore.trial.FrozenTrial` the artifact belongs to.
        storage: The storage (or storage URL) of a FrozenTrial's study; a Study or Trial uses its own.
        mimetype: The MIME type; guessed from the file name when not given.
        encoding: The content encoding (such as ``gzip``); guessed from the file name when not given.

    Returns:
        The new artifact's id.

    Raises:
        InvalidArgumentError: ``study_or_trial`` is of another type, or a FrozenTrial comes without ``storage``.
        UpdateFinishedTrialError: The trial has already finished (artifacts belong to running trials).

    Example:
        >>> import pathlib, tempfile
        >>> import albacore
        >>> from albacore.artifacts import FileSystemArtifactStore, download_artifact, upload_artifact
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> store = FileSystemArtifactStore(folder / "artifacts")
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", -1, 1)
        ...     (folder / "model.txt").write_text(f"x={x}")
        ...     upload_artifact(artifact_store=store, file_path=folder / "model.txt", study_or_trial=trial)
        ...     return x**2
        >>> storage = albacore.storages.InMemoryStorage()
        >>> study = albacore.create_study(storage=storage)
        >>> study.optimize(objective, n_trials=3)
        >>> best = albacore.artifacts.get_all_artifact_meta(study.best_trial, storage=storage)[0]
        >>> download_artifact(artifact_store=store, artifact_id=best.artifact_id, file_path=folder / "best.txt")
        >>> (folder / "best.txt").read_text() == f"x={study.best_params['x']}"
        True
    """
    owner = owner_of(study_or_trial, storage, "upload_artifact")
    if isinstance(study_or_trial, FrozenTrial) and study_or_trial.state.is_finished():
        raise UpdateFinishedTrialError(
            f"Trial #{study_or_trial.number} is {study_or_trial.state.name}; artifacts can be uploaded to running "
            "trials and to studies. Nothing was uploaded."
        )
    filename = os.path.basename(os.fspath(file_path))
    guessed_type, guessed_encoding = mimetypes.guess_type(filename)
    meta = ArtifactMeta(
        artifact_id=str(uuid.uuid4()),
        filename=filename,
        mimetype=mimetype or guessed_type or DEFAULT_MIME_TYPE,
        encoding=encoding or guessed_encoding,
    )
    with open(file_path, "rb") as source:
        artifact_store.write(meta.artifact_id, source)
    try:
        owner.set_system_attr(ARTIFACTS_ATTR_PREFIX + meta.artifact_id, meta.to_json())
    except BaseException:
        # Unrecorded bytes would be unreachable; the error that stopped the recording is the one to report.
        with contextlib.suppress(Exception):
            artifact_store.remove(meta.artifact_id)
        raise
    return meta.artifact_id


def download_artifact(*, artifact_store: ArtifactStore, file_path: str | os.PathLike[str], artifact_id: str) -> None:
    """Download an artifact into a new file, streamed.

    The content goes to a temporary file beside ``file_path`` that is renamed once complete, so ``file_path``
    never holds a partial download.

    Args:
        artifact_store: The store that holds the artifact.
        file_path: Where to save it; the file must not exist yet.
        artifact_id: The artifact's id, as returned by :func:`upload_artifact` or listed by
            :func:`get_all_artifact_meta`.

    Raises:
        FileExistsError: ``file_path`` already exists (it is never overwritten).
        ArtifactNotFound: The store has no artifact with this id.
    """
    path = Path(file_path)
    if path.exists() or path.is_symlink():
        raise FileExistsError(f"File already exists: {os.fspath(file_path)}; download_artifact does not overwrite.")
    with artifact_store.open_reader(artifact_id) as reader:
        write_through_temporary(path, reader)
