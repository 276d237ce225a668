"""Boto3ArtifactStore against a real S3-compatible HTTP server (moto's server mode) on the loopback address."""

from __future__ import annotations

import hashlib
import io
import pathlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import albacore
from albacore.artifacts import Boto3ArtifactStore, download_artifact, get_all_artifact_meta, upload_artifact
from albacore.artifacts.exceptions import ArtifactNotFound

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(endpoint: str) -> Iterator[tuple[Any, str]]:
    """A client of the test server and a fresh bucket on it."""
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    bucket = f"albacore-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    yield client, bucket
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])
    client.delete_bucket(Bucket=bucket)
    client.close()


def _keys(client: Any, bucket: str) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", []))


@pytest.mark.parametrize("avoid_buf_copy", [False, True])
def test_an_object_written_is_read_back_and_the_stream_stays_open_by_default(
    s3: tuple[Any, str], avoid_buf_copy: bool
) -> None:
    client, bucket = s3
    store = Boto3ArtifactStore(bucket, client, avoid_buf_copy=avoid_buf_copy)
    body = io.BytesIO(b"weights")
    store.write("model", body)
    assert _keys(client, bucket) == ["model"]
    assert client.get_object(Bucket=bucket, Key="model")["Body"].read() == b"weights"
    with store.open_reader("model") as reader:
        assert reader.read() == b"weights"
    if not avoid_buf_copy:
        assert not body.closed
        body.seek(0)  # still usable by the caller


def test_remove_deletes_the_object_and_missing_ids_raise_artifact_not_found(s3: tuple[Any, str]) -> None:
    client, bucket = s3
    store = Boto3ArtifactStore(bucket, client)
    store.write("a", io.BytesIO(b"x"))
    store.write("b", io.BytesIO(b"y"))
    store.remove("a")
    assert _keys(client, bucket) == ["b"]
    with pytest.raises(ArtifactNotFound, match="'a'"):
        store.open_reader("a")
    with pytest.raises(ArtifactNotFound):
        store.remove("a")


def test_other_client_errors_are_not_mistaken_for_a_missing_artifact(s3: tuple[Any, str]) -> None:
    client, _ = s3
    store = Boto3ArtifactStore("albacore-no-such-bucket", client)
    with pytest.raises(Exception, match="NoSuchBucket") as raised:
        store.open_reader("a")
    assert not isinstance(raised.value, ArtifactNotFound)


def _sha256(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def test_a_file_larger_than_a_transfer_part_goes_up_in_parts_and_comes_back_whole(
    s3: tuple[Any, str], tmp_path: pathlib.Path
) -> None:
    client, bucket = s3
    source = tmp_path / "checkpoint.bin"
    with open(source, "wb") as f:  # 20 MiB of varied bytes: boto3 sends files above 8 MiB in 8 MiB parts
        for i in range(20):
            f.write(hashlib.sha256(str(i).encode()).digest() * (1 << 15))
    store = Boto3ArtifactStore(bucket, client)
    study = albacore.create_study()
    trial = study.ask()
    artifact_id = upload_artifact(artifact_store=store, file_path=str(source), study_or_trial=trial)

    assert client.head_object(Bucket=bucket, Key=artifact_id)["ETag"].strip('"').endswith("-3")  # three parts
    [meta] = get_all_artifact_meta(trial)
    assert (meta.artifact_id, meta.filename, meta.mimetype) == (
        artifact_id,
        "checkpoint.bin",
        "application/octet-stream",
    )
    target = tmp_path / "downloaded.bin"
    download_artifact(artifact_store=store, file_path=str(target), artifact_id=artifact_id)
    assert _sha256(target) == _sha256(source)
    with store.open_reader(artifact_id) as reader:
        assert len(reader.read(1 << 20)) == 1 << 20  # the body is a stream read in pieces
