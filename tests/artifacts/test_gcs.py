"""GCSArtifactStore through injected clients: a streaming one like google-cloud-storage's, and a bytes-only one."""

from __future__ import annotations

import io
import sys
from typing import Any

import pytest

from albacore._optional import MissingDependencyError
from albacore.artifacts import GCSArtifactStore
from albacore.artifacts.exceptions import ArtifactNotFound


class NotFound(Exception):
    """Shaped like google.api_core.exceptions.NotFound: the HTTP status is in ``code``."""

    code = 404


class StreamingBlob:
    def __init__(self, bucket: FakeBucket, name: str) -> None:
        self.bucket, self.name = bucket, name

    def upload_from_file(self, stream: Any) -> None:
        parts = []
        while chunk := stream.read(1024):
            self.bucket.read_sizes.append(len(chunk))
            parts.append(chunk)
        self.bucket.blobs[self.name] = b"".join(parts)

    def open(self, mode: str) -> io.BytesIO:
        assert mode == "rb"
        return io.BytesIO(self.bucket.blobs[self.name])


class BytesOnlyBlob:
    def __init__(self, bucket: FakeBucket, name: str) -> None:
        self.bucket, self.name = bucket, name

    def upload_from_string(self, data: bytes) -> None:
        self.bucket.blobs[self.name] = data

    def download_as_bytes(self) -> bytes:
        return self.bucket.blobs[self.name]


class FakeBucket:
    def __init__(self, blob_type: type[Any]) -> None:
        self.blob_type = blob_type
        self.blobs: dict[str, bytes] = {}
        self.read_sizes: list[int] = []

    def blob(self, name: str) -> Any:
        return self.blob_type(self, name)

    def get_blob(self, name: str) -> Any:
        return self.blob_type(self, name) if name in self.blobs else None

    def delete_blob(self, name: str) -> None:
        if name not in self.blobs:
            raise NotFound(f"404 No such object: {name}")
        del self.blobs[name]


class FakeClient:
    def __init__(self, blob_type: type[Any] = StreamingBlob) -> None:
        self.buckets: dict[str, FakeBucket] = {}
        self.blob_type = blob_type

    def bucket(self, name: str) -> FakeBucket:
        return self.buckets.setdefault(name, FakeBucket(self.blob_type))


@pytest.mark.parametrize("blob_type", [StreamingBlob, BytesOnlyBlob])
def test_a_blob_written_is_read_back_removed_and_then_missing(blob_type: type[Any]) -> None:
    client = FakeClient(blob_type)
    store = GCSArtifactStore("artifacts", client)
    store.write("model", io.BytesIO(b"weights"))
    assert client.buckets["artifacts"].blobs == {"model": b"weights"}
    with store.open_reader("model") as reader:
        assert reader.read() == b"weights"
    store.remove("model")
    assert client.buckets["artifacts"].blobs == {}
    with pytest.raises(ArtifactNotFound, match="'model'"):
        store.open_reader("model")
    with pytest.raises(ArtifactNotFound, match="'artifacts'"):
        store.remove("model")


def test_uploads_stream_in_pieces_when_the_client_can() -> None:
    client = FakeClient()
    content = bytes(range(256)) * 40
    GCSArtifactStore("artifacts", client).write("big", io.BytesIO(content))
    assert client.buckets["artifacts"].blobs["big"] == content
    assert max(client.buckets["artifacts"].read_sizes) == 1024  # never the whole stream at once


def test_errors_other_than_not_found_pass_through() -> None:
    class Forbidden(Exception):
        code = 403

    class DenyingBucket(FakeBucket):
        def delete_blob(self, name: str) -> None:
            raise Forbidden("403 caller lacks storage.objects.delete")

    client = FakeClient()
    client.buckets["artifacts"] = DenyingBucket(StreamingBlob)
    with pytest.raises(Forbidden):
        GCSArtifactStore("artifacts", client).remove("model")


def test_without_a_client_one_is_built_from_google_cloud_storage(monkeypatch: pytest.MonkeyPatch) -> None:
    storage = pytest.importorskip("google.cloud.storage")
    made = FakeClient()
    monkeypatch.setattr(storage, "Client", lambda: made)
    GCSArtifactStore("artifacts").write("a", io.BytesIO(b"x"))
    assert made.buckets["artifacts"].blobs == {"a": b"x"}


def test_a_missing_library_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "google.cloud.storage", None)
    with pytest.raises(MissingDependencyError, match=r"albacore\[gcs\]"):
        GCSArtifactStore("artifacts")
