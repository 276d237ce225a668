"""FileSystemArtifactStore: artifacts as files in one directory, each written through a temporary name."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path
from typing import BinaryIO

from albacore.exceptions import ArtifactNotFound, InvalidArgumentError

__all__ = ["FileSystemArtifactStore", "check_artifact_id"]

CHUNK_SIZE = 1 << 16
"""Bytes copied at a time: an artifact streams through this much memory, whatever its size (larger chunks
measured no faster on local disks)."""

_PARTIAL_PREFIX = ".partial-"


def check_artifact_id(artifact_id: object) -> str:
    """Return ``artifact_id`` if it is one plain file name, else raise the error every store uses.

    A plain name has no path separator, no drive, no NUL byte and no leading dot (which rules out ``.`` and
    ``..`` and keeps hidden names for the store's temporary files), so it cannot leave the store's directory.
    """
    if not isinstance(artifact_id, str) or not artifact_id:
        raise InvalidArgumentError(f"Invalid artifact_id {artifact_id!r}: expected a non-empty string.")
    if (
        artifact_id.startswith(".")
        or any(char in artifact_id for char in ("/", "\\", "\0"))
        or Path(artifact_id).name != artifact_id
        or Path(artifact_id).drive
    ):
        raise InvalidArgumentError(
            f"Invalid artifact_id {artifact_id!r}: an artifact id is one file name inside the store "
            "(no '/', '\\', NUL or drive, and no leading '.', which also rules out '..')."
        )
    return artifact_id


class FileSystemArtifactStore:
    """Artifacts as files named by their ids in one directory (local disk or a shared file system).

    Safe by construction: every id must be a plain file name (see the error for what is refused), and an id
    whose file is a symbolic link resolving outside ``base_path`` is refused. A write streams into a hidden
    temporary file in ``base_path`` (``.partial-*``), flushes it to disk and renames it over the id, so a
    crash leaves the previous artifact or the new one under the id, never a half-written file; a temporary
    file that a crash left behind may be deleted.

    Args:
        base_path: The directory that holds the artifacts; it is created on the first write if missing.

    Example:
        >>> import io, tempfile
        >>> from albacore.artifacts import FileSystemArtifactStore
        >>> store = FileSystemArtifactStore(tempfile.mkdtemp())
        >>> store.write("model-1", io.BytesIO(b"weights"))
        >>> with store.open_reader("model-1") as reader:
        ...     reader.read()
        b'weights'
    """

    def __init__(self, base_path: str | os.PathLike[str]) -> None:
        self._base_path = Path(base_path)

    def _path_of(self, artifact_id: str) -> Path:
        path = self._base_path / check_artifact_id(artifact_id)
        if path.is_symlink():
            target, base = path.resolve(), self._base_path.resolve()
            if not target.is_relative_to(base):
                raise InvalidArgumentError(
                    f"Invalid artifact_id {artifact_id!r}: its file is a symbolic link to {target}, outside the "
                    f"store's directory {base}."
                )
        return path

    def open_reader(self, artifact_id: str) -> BinaryIO:
        """Open the artifact for reading (a buffered file; the caller closes it).

        Raises:
            ArtifactNotFound: No artifact has this id.
            InvalidArgumentError: The id is not a plain file name inside the store (a ``ValueError``).
        """
        path = self._path_of(artifact_id)
        try:
            return open(path, "rb")  # the caller owns and closes the stream
        except (FileNotFoundError, IsADirectoryError):
            raise self._not_found(artifact_id) from None

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        """Stream ``content_body`` into the artifact, replacing it atomically if it exists.

        Raises:
            InvalidArgumentError: The id is not a plain file name inside the store (a ``ValueError``).
        """
        path = self._path_of(artifact_id)
        self._base_path.mkdir(parents=True, exist_ok=True)
        write_through_temporary(path, content_body)

    def remove(self, artifact_id: str) -> None:
        """Delete the artifact.

        Raises:
            ArtifactNotFound: No artifact has this id.
            InvalidArgumentError: The id is not a plain file name inside the store (a ``ValueError``).
        """
        path = self._path_of(artifact_id)
        try:
            path.unlink()
        except (FileNotFoundError, IsADirectoryError):
            raise self._not_found(artifact_id) from None

    def _not_found(self, artifact_id: str) -> ArtifactNotFound:
        return ArtifactNotFound(f"No artifact {artifact_id!r} in {self._base_path}.")

    def __repr__(self) -> str:
        return f"FileSystemArtifactStore({str(self._base_path)!r})"


def write_through_temporary(path: Path, content: BinaryIO) -> None:
    """Copy ``content`` to ``path`` in chunks: into a temporary file beside it, synced, then renamed over it.

    Readers of ``path`` see the old file or the complete new one; on any error the temporary file is removed.
    """
    temporary = path.with_name(f"{_PARTIAL_PREFIX}{uuid.uuid4().hex}")
    # O_EXCL: never write into a file that someone else created; the mode lets the umask decide as open() does.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with open(fd, "wb") as out:
            shutil.copyfileobj(content, out, CHUNK_SIZE)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    """Make the rename durable across a power cut where the platform allows syncing a directory."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
