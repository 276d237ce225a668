"""Backoff over a flaky store: transient failures are retried, final answers are not, truncation never happens."""

from __future__ import annotations

import io
import logging
import pathlib
from typing import BinaryIO

import pytest

from albacore.artifacts import Backoff, FileSystemArtifactStore
from albacore.artifacts.exceptions import ArtifactNotFound
from albacore.exceptions import InvalidArgumentError


class FlakyStore:
    """A file-system store whose next ``failures`` calls fail, after reading part of what a write sends."""

    def __init__(self, base: pathlib.Path, failures: int) -> None:
        self.inner = FileSystemArtifactStore(base)
        self.failures = failures
        self.calls = 0

    def _maybe_fail(self, content: BinaryIO | None = None) -> None:
        self.calls += 1
        if self.failures > 0:
            self.failures -= 1
            if content is not None:
                content.read(3)  # a connection that dies after the first bytes
            raise ConnectionError("connection reset by peer")

    def open_reader(self, artifact_id: str) -> BinaryIO:
        self._maybe_fail()
        return self.inner.open_reader(artifact_id)

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        self._maybe_fail(content_body)
        self.inner.write(artifact_id, content_body)

    def remove(self, artifact_id: str) -> None:
        self._maybe_fail()
        self.inner.remove(artifact_id)


def _backoff(store: FlakyStore, max_retries: int = 5) -> Backoff:
    return Backoff(store, max_retries=max_retries, min_delay=0.0, max_delay=0.0)


def test_the_pause_grows_by_the_multiplier_up_to_the_longest_delay() -> None:
    backoff = Backoff(FileSystemArtifactStore("unused"), min_delay=0.1, multiplier=10, max_delay=10)
    assert [backoff._get_sleep_secs(n) for n in range(4)] == pytest.approx([0.1, 1.0, 10.0, 10.0])


def test_transient_failures_are_retried_and_a_retried_write_stores_the_whole_content(
    tmp_path: pathlib.Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = FlakyStore(tmp_path, failures=2)
    backoff = _backoff(store)
    body = io.BytesIO(b"prefix:the whole artifact")
    body.seek(7)
    with caplog.at_level(logging.WARNING, logger="albacore"):
        backoff.write("a", body)
    assert store.calls == 3
    assert "attempt 1 of 5" in caplog.text and "ConnectionError" in caplog.text
    store.failures = 2
    with backoff.open_reader("a") as reader:
        assert reader.read() == b"the whole artifact"
    store.failures = 1
    backoff.remove("a")
    assert list(tmp_path.iterdir()) == []


def test_the_last_failure_is_raised_when_attempts_run_out(tmp_path: pathlib.Path) -> None:
    store = FlakyStore(tmp_path, failures=10)
    with pytest.raises(ConnectionError):
        _backoff(store, max_retries=3).write("a", io.BytesIO(b"x"))
    assert store.calls == 3
    assert list(tmp_path.iterdir()) == []


def test_a_write_from_a_stream_that_cannot_rewind_is_not_retried(tmp_path: pathlib.Path) -> None:
    class OneWay(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            return 0

    store = FlakyStore(tmp_path, failures=1)
    with pytest.raises(ConnectionError):
        _backoff(store).write("a", io.BufferedReader(OneWay()))
    assert store.calls == 1


def test_a_missing_artifact_and_a_refused_id_are_answered_at_once(tmp_path: pathlib.Path) -> None:
    store = FlakyStore(tmp_path, failures=0)
    backoff = _backoff(store)
    with pytest.raises(ArtifactNotFound):
        backoff.open_reader("missing")
    with pytest.raises(ArtifactNotFound):
        backoff.remove("missing")
    with pytest.raises(InvalidArgumentError):
        backoff.write("../escape", io.BytesIO(b"x"))
    assert store.calls == 3


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"max_retries": 0}, "max_retries"),
        ({"max_retries": 2.5}, "max_retries"),
        ({"multiplier": 0.5}, "multiplier"),
        ({"min_delay": -1.0}, "min_delay"),
        ({"min_delay": 5.0, "max_delay": 1.0}, "max_delay"),
        ({"max_delay": float("inf")}, "max_delay"),
    ],
)
def test_bad_settings_are_refused(arguments: dict[str, float], message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        Backoff(FileSystemArtifactStore("unused"), **arguments)  # type: ignore[arg-type]
