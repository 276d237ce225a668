"""The tqdm progress bar of ``optimize(show_progress_bar=True)``: trials done (or time spent), and the best trial.

The description reads ``Best trial: 3. Best value: 0.0123`` as Optuna's does, so that what users grep for in their
logs stays the same. While the bar is shown, albacore's log lines are written above it instead of through it.
"""

from __future__ import annotations

import time
import warnings
from types import TracebackType
from typing import Any

from albacore import logging as albacore_logging

__all__ = ["ProgressBar"]


class ProgressBar:
    """Counts finished trials (or seconds, with only a timeout) and shows the best trial so far.

    Args:
        enabled: Whether the caller asked for a bar.
        n_trials: The trial budget, shown as the bar's total; with None the bar counts seconds of ``timeout``.
        timeout: The time budget in seconds.
        parallel: Whether several workers run trials (threads or processes): the time-based bar shows one
            worker's view of the clock only, so it is not shown then.
    """

    def __init__(self, enabled: bool, n_trials: int | None, timeout: float | None, parallel: bool = False) -> None:
        self._bar: Any = None
        self._by_time = n_trials is None and timeout is not None
        self._timeout = timeout
        self._start = time.monotonic()
        self._shown = 0.0
        self._log_stream: Any = None
        if not enabled:
            return
        if n_trials is None and timeout is None:
            warnings.warn(
                "The progress bar is not shown: it needs `n_trials` or `timeout` to know where the end is.",
                UserWarning,
                stacklevel=4,
            )
            return
        if self._by_time and parallel:
            warnings.warn(
                "The timeout-based progress bar is not supported with n_jobs != 1 (or with n_processes); "
                "give `n_trials` to see one.",
                UserWarning,
                stacklevel=4,
            )
            return
        from tqdm.auto import tqdm

        if self._by_time:
            assert timeout is not None
            total = tqdm.format_interval(timeout)
            self._bar = tqdm(
                total=timeout, bar_format="{desc} {percentage:3.0f}%|{bar}| {elapsed}/" + total + "{postfix}"
            )
        else:
            self._bar = tqdm(total=n_trials)
        self._log_stream = albacore_logging._write_default_handler_through(_TqdmStream(tqdm))

    def update(self, n_finished: int, best: tuple[int, float] | None) -> None:
        """Count one more finished trial; ``best`` is the best trial's number and value (None: none yet)."""
        bar = self._bar
        if bar is None:
            return
        if best is not None:
            bar.set_description(f"Best trial: {best[0]}. Best value: {best[1]:.6g}", refresh=False)
        if self._by_time:
            assert self._timeout is not None
            elapsed = min(time.monotonic() - self._start, self._timeout)
            bar.set_postfix_str(f"trials: {n_finished}", refresh=False)
            bar.update(elapsed - self._shown)
            self._shown = elapsed
        else:
            bar.update(1)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.close()
            albacore_logging._write_default_handler_through(self._log_stream)


class _TqdmStream:
    """A stream for the default log handler that writes above the progress bar rather than through it."""

    def __init__(self, tqdm: Any) -> None:
        self._tqdm = tqdm

    def write(self, text: str) -> int:
        import sys

        self._tqdm.write(text, file=sys.stderr, end="")
        return len(text)

    def flush(self) -> None:
        import sys

        sys.stderr.flush()
