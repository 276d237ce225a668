"""The artifact store interface: three methods, so that any object storage can back it."""

from __future__ import annotations

from typing import BinaryIO, Protocol, runtime_checkable

__all__ = ["ArtifactStore"]


@runtime_checkable
class ArtifactStore(Protocol):
    """Where artifact bytes live; their metadata lives in the study's storage.

    An artifact id is an opaque name chosen by :func:`~albacore.artifacts.upload_artifact` (a UUID). A store
    must stream: ``write`` reads ``content_body`` in chunks and ``open_reader`` returns a stream, so that an
    artifact larger than memory never has to fit in it. Any object with these three methods is a store.
    """

    def open_reader(self, artifact_id: str) -> BinaryIO:
        """Return a readable binary stream of the artifact; the caller closes it.

        Raises:
            ArtifactNotFound: No artifact has this id.
        """
        ...

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        """Store everything ``content_body`` yields from its current position under ``artifact_id``."""
        ...

    def remove(self, artifact_id: str) -> None:
        """Delete the artifact.

        Raises:
            ArtifactNotFound: No artifact has this id.
        """
        ...
