"""Boto3ArtifactStore: artifacts as objects in an Amazon S3 (or S3-compatible) bucket."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from albacore._optional import require
from albacore.exceptions import ArtifactNotFound

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = ["Boto3ArtifactStore"]

_MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


class Boto3ArtifactStore:
    """Artifacts as objects named by their ids in an S3 bucket, through boto3 (``pip install 'albacore[boto3]'``).

    Uploads stream: boto3 sends a large artifact as a multipart upload, part by part, and S3 shows the object
    only once the upload completes, so a crash never leaves a half-written artifact under its id. Reads stream
    the object body.

    Args:
        bucket_name: The bucket that holds the artifacts.
        client: A boto3 S3 client; by default ``boto3.client("s3")`` with boto3's usual configuration
            (environment, ``~/.aws``). Pass your own for an S3-compatible server (``endpoint_url=...``).
        avoid_buf_copy: Whether boto3 may close the stream given to :meth:`write` when the upload ends. By
            default the stream stays open (it is handed to boto3 behind a wrapper that ignores ``close``). No
            copy of the content is made either way.
    """

    def __init__(self, bucket_name: str, client: Any = None, *, avoid_buf_copy: bool = False) -> None:
        if client is None:
            boto3 = require("boto3", extra="boto3", feature="Boto3ArtifactStore")
            client = boto3.client("s3")
        self.bucket = bucket_name
        self.client = client
        self._avoid_buf_copy = avoid_buf_copy

    def open_reader(self, artifact_id: str) -> BinaryIO:
        """Return the object's body as a stream (the caller closes it).

        Raises:
            ArtifactNotFound: The bucket has no object with this id.
        """
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=artifact_id)
        except Exception as err:
            if _is_missing(err):
                raise ArtifactNotFound(f"No artifact {artifact_id!r} in bucket {self.bucket!r}.") from err
            raise
        return cast(BinaryIO, response["Body"])

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        """Upload everything ``content_body`` yields from its position as the object ``artifact_id``."""
        body: Any = content_body if self._avoid_buf_copy else _KeepOpen(content_body)
        self.client.upload_fileobj(body, self.bucket, artifact_id)

    def remove(self, artifact_id: str) -> None:
        """Delete the object.

        Raises:
            ArtifactNotFound: The bucket has no object with this id.
        """
        # S3 deletes a missing key without complaint; ask first so that a missing artifact is reported.
        try:
            self.client.head_object(Bucket=self.bucket, Key=artifact_id)
        except Exception as err:
            if _is_missing(err):
                raise ArtifactNotFound(f"No artifact {artifact_id!r} in bucket {self.bucket!r}.") from err
            raise
        self.client.delete_object(Bucket=self.bucket, Key=artifact_id)

    def __repr__(self) -> str:
        return f"Boto3ArtifactStore({self.bucket!r})"


def _is_missing(err: Exception) -> bool:
    """Whether a botocore ``ClientError`` says the key does not exist (read duck-typed: no botocore import)."""
    response = getattr(err, "response", None)
    if not isinstance(response, dict):
        return False
    return str(response.get("Error", {}).get("Code", "")) in _MISSING_CODES


class _KeepOpen(io.RawIOBase):
    """A read view of a stream whose ``close`` leaves the stream open (boto3 closes what it uploads)."""

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__()
        self._stream = stream

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._stream.seekable()

    def read(self, size: int | None = -1) -> bytes:
        return self._stream.read(-1 if size is None else size)

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self._stream.read(len(view))
        view[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._stream.seek(offset, whence)

    def tell(self) -> int:
        return self._stream.tell()
