"""The tqdm progress bar of ``optimize(show_progress_bar=True)``: trials done, best value, elapsed time."""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any

from albacore.logging import get_logger

__all__ = ["ProgressBar"]

_logger = get_logger(__name__)


class ProgressBar:
    """Counts finished trials (or seconds, with only a timeout) and shows the best value so far."""

    def __init__(self, enabled: bool, n_trials: int | None, timeout: float | None) -> None:
        self._bar: Any = None
        self._by_time = n_trials is None and timeout is not None
        self._timeout = timeout
        self._start = time.monotonic()
        if not enabled:
            return
        if n_trials is None and timeout is None:
            _logger.warning("The progress bar needs `n_trials` or `timeout`; it is not shown.")
            return
        from tqdm.auto import tqdm

        if self._by_time:
            self._bar = tqdm(total=timeout, bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s [{elapsed}{postfix}]")
        else:
            self._bar = tqdm(total=n_trials)

    def update(self, n_finished: int, best: str | None) -> None:
        """Advance by one trial and show ``best`` (already formatted) beside the count."""
        if self._bar is None:
            return
        if self._by_time:
            assert self._timeout is not None
            self._bar.n = min(time.monotonic() - self._start, self._timeout)
            self._bar.set_postfix_str(f"trials: {n_finished}" + (f", best: {best}" if best else ""), refresh=False)
            self._bar.refresh()
        else:
            if best is not None:
                self._bar.set_postfix_str(f"best: {best}", refresh=False)
            self._bar.update(1)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.close()
