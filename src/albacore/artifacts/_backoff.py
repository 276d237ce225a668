"""Backoff: retry a flaky artifact store's operations with exponentially growing pauses."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import BinaryIO, TypeVar

from albacore.artifacts._protocol import ArtifactStore
from albacore.exceptions import ArtifactNotFound, InvalidArgumentError
from albacore.logging import get_logger

__all__ = ["Backoff"]

_logger = get_logger(__name__)
_T = TypeVar("_T")

# Answers that another attempt cannot change: a missing artifact, an id the store refuses.
_FINAL_ERRORS = (ArtifactNotFound, InvalidArgumentError)


class Backoff:
    """Wrap an artifact store so that a failed call is tried again after a pause that grows each time.

    The pause after the ``n``-th failure (counting from 0) is ``min(min_delay * multiplier ** n, max_delay)``
    seconds. :class:`~albacore.artifacts.exceptions.ArtifactNotFound` and refused ids are raised at once. A
    ``write`` is tried again only when its content can be rewound (a seekable stream, as a file is), so a retry
    never stores a truncated artifact.

    Args:
        backend: The store to call.
        max_retries: How many attempts each call gets in all; the last failure is raised.
        multiplier: The growth of the pause from one failure to the next (at least 1).
        min_delay: The pause in seconds after the first failure.
        max_delay: The longest pause in seconds.

    Example:
        >>> import tempfile
        >>> from albacore.artifacts import Backoff, FileSystemArtifactStore
        >>> store = Backoff(FileSystemArtifactStore(tempfile.mkdtemp()), max_retries=5, max_delay=10)
    """

    def __init__(
        self,
        backend: ArtifactStore,
        *,
        max_retries: int = 10,
        multiplier: float = 2,
        min_delay: float = 0.1,
        max_delay: float = 30,
    ) -> None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 1:
            raise InvalidArgumentError(f"`max_retries` must be an integer >= 1 (attempts in all), got {max_retries!r}.")
        if not (math.isfinite(multiplier) and multiplier >= 1):
            raise InvalidArgumentError(f"`multiplier` must be a finite number >= 1, got {multiplier!r}.")
        if not (math.isfinite(min_delay) and min_delay >= 0):
            raise InvalidArgumentError(f"`min_delay` must be a finite number >= 0, got {min_delay!r}.")
        if not (math.isfinite(max_delay) and max_delay >= min_delay):
            raise InvalidArgumentError(
                f"`max_delay` must be a finite number >= `min_delay`, got max_delay={max_delay!r}, "
                f"min_delay={min_delay!r}."
            )
        self._backend = backend
        self._max_retries = max_retries
        self._multiplier = multiplier
        self._min_delay = min_delay
        self._max_delay = max_delay

    def _get_sleep_secs(self, n_retry: int) -> float:
        """The pause in seconds after failure number ``n_retry`` (counting from 0)."""
        return min(self._min_delay * self._multiplier**n_retry, self._max_delay)

    def _call(self, what: str, operation: Callable[[], _T], rewind: Callable[[], bool] | None = None) -> _T:
        for attempt in range(self._max_retries):
            try:
                return operation()
            except _FINAL_ERRORS:
                raise
            except Exception as err:
                last = attempt == self._max_retries - 1
                if last or (rewind is not None and not rewind()):
                    raise
                pause = self._get_sleep_secs(attempt)
                _logger.warning(
                    f"{what} failed (attempt {attempt + 1} of {self._max_retries}), retrying in "
                    f"{pause:g} s: {type(err).__name__}: {err}"
                )
                time.sleep(pause)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def open_reader(self, artifact_id: str) -> BinaryIO:
        """Open the artifact through the wrapped store, retrying failures."""
        return self._call(f"Opening artifact {artifact_id!r}", lambda: self._backend.open_reader(artifact_id))

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        """Write the artifact through the wrapped store, retrying failures when the content can be rewound."""
        start = content_body.tell() if _seekable(content_body) else None

        def rewind() -> bool:
            if start is None:
                return False
            try:
                content_body.seek(start)
            except (OSError, ValueError):  # the failed attempt closed the stream (boto3 may)
                return False
            return True

        self._call(f"Writing artifact {artifact_id!r}", lambda: self._backend.write(artifact_id, content_body), rewind)

    def remove(self, artifact_id: str) -> None:
        """Remove the artifact through the wrapped store, retrying failures."""
        self._call(f"Removing artifact {artifact_id!r}", lambda: self._backend.remove(artifact_id))

    def __repr__(self) -> str:
        return f"Backoff({self._backend!r}, max_retries={self._max_retries})"


def _seekable(stream: BinaryIO) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, ValueError):  # no seekable() at all, or a closed stream
        return False
