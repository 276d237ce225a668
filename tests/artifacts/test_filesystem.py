"""FileSystemArtifactStore: round trips, refused ids (promise 6), writes through a temporary name, streaming."""

from __future__ import annotations

import io
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time
import tracemalloc

import pytest

from albacore.artifacts import FileSystemArtifactStore
from albacore.artifacts.exceptions import ArtifactNotFound
from albacore.exceptions import InvalidArgumentError


def _entries(folder: pathlib.Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_written_bytes_read_back_and_a_second_write_replaces_them(tmp_path: pathlib.Path) -> None:
    store = FileSystemArtifactStore(tmp_path / "store")  # created on the first write
    store.write("model", io.BytesIO(b"first"))
    store.write("model", io.BytesIO(b"second, longer"))
    with store.open_reader("model") as reader:
        assert reader.read() == b"second, longer"
    assert _entries(tmp_path / "store") == ["model"]


def test_a_write_stores_the_content_from_the_stream_position_on(tmp_path: pathlib.Path) -> None:
    body = io.BytesIO(b"headerPAYLOAD")
    body.seek(6)
    store = FileSystemArtifactStore(tmp_path)
    store.write("a", body)
    with store.open_reader("a") as reader:
        assert reader.read() == b"PAYLOAD"


def test_remove_deletes_the_file_and_missing_ids_raise_artifact_not_found(tmp_path: pathlib.Path) -> None:
    store = FileSystemArtifactStore(tmp_path)
    store.write("a", io.BytesIO(b"x"))
    store.remove("a")
    assert _entries(tmp_path) == []
    with pytest.raises(ArtifactNotFound, match="'a'"):
        store.open_reader("a")
    with pytest.raises(ArtifactNotFound):
        store.remove("a")


def test_a_directory_under_an_id_is_not_an_artifact(tmp_path: pathlib.Path) -> None:
    (tmp_path / "folder").mkdir()
    store = FileSystemArtifactStore(tmp_path)
    with pytest.raises(ArtifactNotFound):
        store.open_reader("folder")
    with pytest.raises(ArtifactNotFound):
        store.remove("folder")
    assert (tmp_path / "folder").is_dir()


ESCAPING_IDS = [
    "../outside.txt",
    "/etc/passwd",
    "..",
    ".",
    "a/../../b",
    "sub/file",
    "..\\x",
    "C:\\x",
    "a\0b",
    "",
    ".hidden",
]


@pytest.mark.parametrize("artifact_id", ESCAPING_IDS)
def test_ids_that_could_leave_the_base_directory_are_refused_by_every_method(
    tmp_path: pathlib.Path, artifact_id: str
) -> None:
    base = tmp_path / "base"
    base.mkdir()
    store = FileSystemArtifactStore(base)
    with pytest.raises(InvalidArgumentError, match="Invalid artifact_id"):
        store.write(artifact_id, io.BytesIO(b"x"))
    with pytest.raises(ValueError, match="Invalid artifact_id"):
        store.open_reader(artifact_id)
    with pytest.raises(ValueError, match="Invalid artifact_id"):
        store.remove(artifact_id)
    assert _entries(tmp_path) == ["base"]
    assert _entries(base) == []


def test_non_string_ids_are_refused(tmp_path: pathlib.Path) -> None:
    with pytest.raises(InvalidArgumentError, match="non-empty string"):
        FileSystemArtifactStore(tmp_path).open_reader(7)  # type: ignore[arg-type]


def test_a_symbolic_link_out_of_the_base_directory_is_refused(tmp_path: pathlib.Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"do not serve")
    base = tmp_path / "base"
    base.mkdir()
    (base / "leak").symlink_to(secret)
    store = FileSystemArtifactStore(base)
    for call in (
        lambda: store.open_reader("leak"),
        lambda: store.write("leak", io.BytesIO(b"x")),
        lambda: store.remove("leak"),
    ):
        with pytest.raises(InvalidArgumentError, match="outside the store's directory"):
            call()
    assert secret.read_bytes() == b"do not serve"
    assert (base / "leak").is_symlink()


def test_a_symbolic_link_that_stays_inside_the_base_directory_is_served(tmp_path: pathlib.Path) -> None:
    store = FileSystemArtifactStore(tmp_path)
    store.write("real", io.BytesIO(b"content"))
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    with store.open_reader("alias") as reader:
        assert reader.read() == b"content"


class _BrokenStream(io.RawIOBase):
    """Yields some bytes, then fails like a dropped network connection."""

    def __init__(self, good: bytes) -> None:
        self._good = good

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if not self._good:
            raise ConnectionResetError("peer went away")
        n = min(len(buffer), len(self._good))
        buffer[:n] = self._good[:n]
        self._good = self._good[n:]
        return n


def test_a_write_that_fails_midway_leaves_the_previous_artifact_and_no_temporary_file(tmp_path: pathlib.Path) -> None:
    store = FileSystemArtifactStore(tmp_path)
    store.write("model", io.BytesIO(b"complete old version"))
    with pytest.raises(ConnectionResetError):
        store.write("model", io.BufferedReader(_BrokenStream(b"half of the new")))
    with pytest.raises(ConnectionResetError):
        store.write("fresh", io.BufferedReader(_BrokenStream(b"half")))
    with store.open_reader("model") as reader:
        assert reader.read() == b"complete old version"
    assert _entries(tmp_path) == ["model"]


def test_a_process_killed_mid_write_leaves_nothing_under_the_id(tmp_path: pathlib.Path) -> None:
    # The writer streams a first chunk, says so, then waits to be killed before the rest arrives.
    script = textwrap.dedent(
        f"""
        import io, pathlib, time
        from albacore.artifacts import FileSystemArtifactStore

        class Slow(io.RawIOBase):
            sent = False
            def readable(self):
                return True
            def readinto(self, buffer):
                if self.sent:
                    pathlib.Path({str(tmp_path / "started")!r}).touch()
                    time.sleep(60)
                self.sent = True
                buffer[:4] = b"half"
                return 4

        FileSystemArtifactStore({str(tmp_path / "base")!r}).write("model", io.BufferedReader(Slow(), 1))
        """
    )
    writer = subprocess.Popen([sys.executable, "-c", script])
    try:
        for _ in range(600):
            if (tmp_path / "started").exists() or writer.poll() is not None:
                break
            time.sleep(0.05)
        assert (tmp_path / "started").exists(), "the writer never reached the middle of its write"
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.kill()
        writer.wait()
    names = _entries(tmp_path / "base")
    assert "model" not in names
    assert all(name.startswith(".partial-") for name in names)
    with pytest.raises(ArtifactNotFound):
        FileSystemArtifactStore(tmp_path / "base").open_reader("model")


def test_new_artifacts_get_the_permissions_open_would_give(tmp_path: pathlib.Path) -> None:
    old = os.umask(0o022)
    try:
        FileSystemArtifactStore(tmp_path).write("a", io.BytesIO(b"x"))
    finally:
        os.umask(old)
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o644


class _Zeros(io.RawIOBase):
    """``size`` zero bytes, produced on demand, so the source itself holds no memory."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


def test_a_large_artifact_streams_through_bounded_memory(tmp_path: pathlib.Path) -> None:
    size = 48 << 20
    store = FileSystemArtifactStore(tmp_path)
    tracemalloc.start()
    try:
        store.write("big", io.BufferedReader(_Zeros(size), 1 << 16))
        total = 0
        with store.open_reader("big") as reader:
            while chunk := reader.read(1 << 20):
                total += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == size == (tmp_path / "big").stat().st_size
    assert peak < 8 << 20, f"peak traced memory {peak} bytes for a {size}-byte artifact"
