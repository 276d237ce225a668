"""GCSArtifactStore: artifacts as blobs in a Google Cloud Storage bucket."""

from __future__ import annotations

import io
from typing import Any, BinaryIO, cast

from albacore._optional import require
from albacore.exceptions import ArtifactNotFound

__all__ = ["GCSArtifactStore"]


class GCSArtifactStore:
    """Artifacts as blobs named by their ids in a GCS bucket (``pip install 'albacore[gcs]'``).

    Uploads stream (a large artifact goes up as a resumable upload, chunk by chunk) and GCS shows a blob only
    once its upload completes, so a crash never leaves a half-written artifact under its id. Reads stream the
    blob through ``Blob.open("rb")``. A client whose blobs offer only ``upload_from_string`` and
    ``download_as_bytes`` (a small test double, for instance) also works, holding each artifact in memory.

    Args:
        bucket_name: The bucket that holds the artifacts.
        client: A ``google.cloud.storage.Client``; by default one built from the environment's credentials.
    """

    def __init__(self, bucket_name: str, client: Any = None) -> None:
        if client is None:
            storage = require("google.cloud.storage", extra="gcs", feature="GCSArtifactStore")
            client = storage.Client()
        self.bucket_name = bucket_name
        self.client = client
        self.bucket_obj = client.bucket(bucket_name)

    def open_reader(self, artifact_id: str) -> BinaryIO:
        """Return a stream of the blob (the caller closes it).

        Raises:
            ArtifactNotFound: The bucket has no blob with this id.
        """
        blob = self.bucket_obj.get_blob(artifact_id)
        if blob is None:
            raise ArtifactNotFound(f"No artifact {artifact_id!r} in bucket {self.bucket_name!r}.")
        if hasattr(blob, "open"):
            return cast(BinaryIO, blob.open("rb"))
        return io.BytesIO(blob.download_as_bytes())

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        """Upload everything ``content_body`` yields from its position as the blob ``artifact_id``."""
        blob = self.bucket_obj.blob(artifact_id)
        if hasattr(blob, "upload_from_file"):
            blob.upload_from_file(content_body)
        else:
            blob.upload_from_string(content_body.read())

    def remove(self, artifact_id: str) -> None:
        """Delete the blob.

        Raises:
            ArtifactNotFound: The bucket has no blob with this id.
        """
        try:
            self.bucket_obj.delete_blob(artifact_id)
        except Exception as err:
            # google.api_core's NotFound carries HTTP status 404 in ``code``; read it without importing the library.
            if getattr(err, "code", None) == 404:
                raise ArtifactNotFound(f"No artifact {artifact_id!r} in bucket {self.bucket_name!r}.") from err
            raise

    def __repr__(self) -> str:
        return f"GCSArtifactStore({self.bucket_name!r})"
