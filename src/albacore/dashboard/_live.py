"""Live updates: one poller reads what changed in the studies that open pages watch and pushes it to them.

Pages subscribe with server-sent events (``/api/events`` for the study list, ``/api/s/S/studies/ID/events`` for a
study). The poller runs only while someone watches: every ``interval`` seconds it refreshes the watched studies'
trackers (an incremental read, see :mod:`albacore.dashboard._sources`) and wakes the streams whose study
changed. Writers can be any process or machine that writes to the storage: nothing but the storage is shared.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread

from albacore.dashboard._sources import Sources, StudyTracker
from albacore.logging import get_logger

__all__ = ["LIST_KEY", "Key", "Live"]

_logger = get_logger(__name__)

Key = tuple[object, ...]

LIST_KEY: Key = ("list",)
"""The key the study list is watched under; a study's key is (storage index, study id)."""

_KEEPALIVE_S = 15.0
_LIST_EVERY_S = 1.0  # the list reads every storage's study table, so it is polled less often than a study


class Live:
    """The poller and the event streams; see the module docstring.

    Args:
        sources: The dashboard's storages.
        interval: Seconds between two reads of a watched study.
    """

    def __init__(self, sources: Sources, interval: float = 0.5) -> None:
        self._sources = sources
        self._interval = interval
        self._watchers: Counter[Key] = Counter()
        self._events: dict[Key, asyncio.Event] = {}
        self._seen: dict[Key, Any] = {}
        self._list_read_at = -float("inf")

    async def run(self) -> None:
        """Poll until cancelled (the app starts this at startup and cancels it at shutdown)."""
        while True:
            await asyncio.sleep(self._interval)
            keys = [k for k, n in self._watchers.items() if n > 0]
            if not keys:
                continue
            try:
                changed = await anyio.to_thread.run_sync(self._poll, keys)
            except Exception as err:  # noqa: BLE001 - a storage hiccup must not stop live updates for good
                _logger.warning(f"Dashboard live update failed: {type(err).__name__}: {err}")
                continue
            for key in changed:
                event = self._events.pop(key, None)
                if event is not None:
                    event.set()

    def _study(self, key: Key) -> StudyTracker:
        index, study_id = key
        assert isinstance(index, int) and isinstance(study_id, int)
        return self._sources.tracker(index, study_id)

    def _poll(self, keys: list[Key]) -> list[Key]:
        """Refresh the watched studies (in a worker thread); return the keys whose state changed."""
        changed: list[Key] = []
        for key in keys:
            if key == LIST_KEY:
                if time.monotonic() - self._list_read_at < _LIST_EVERY_S:
                    continue
                self._list_read_at = time.monotonic()
                state: Any = self._list_state()
            else:
                tracker = self._study(key)
                tracker.refresh()
                state = tracker.version
            if self._seen.get(key) != state:
                self._seen[key] = state
                changed.append(key)
        return changed

    def _list_state(self) -> Any:
        return tuple((r["storage"], r["study_id"], r["version"]) for r in self._sources.study_rows())

    def _message(self, key: Key) -> tuple[Any, str]:
        if key == LIST_KEY:
            return self._seen.get(key), json.dumps({"kind": "studies"})
        tracker = self._study(key)
        with tracker.lock:
            version, n_trials = tracker.version, len(tracker.trials)
        return version, json.dumps({"kind": "study", "version": version, "n_trials": n_trials})

    async def stream(self, key: Key) -> AsyncIterator[str]:
        """Server-sent events for ``key``: one message now, then one after each change, and keep-alive comments."""
        if key == LIST_KEY and key not in self._seen:
            # Read the list once now, so that the poller's first read is not taken for a change.
            self._seen[key] = await anyio.to_thread.run_sync(self._list_state)
        self._watchers[key] += 1
        sent: Any = object()
        try:
            yield "retry: 1000\n\n"
            while True:
                # The event is taken before the state is read, so a change between the two still wakes us.
                event = self._events.setdefault(key, asyncio.Event())
                state, message = self._message(key)
                if state != sent:
                    sent = state
                    yield f"event: change\ndata: {message}\n\n"
                try:
                    await asyncio.wait_for(event.wait(), _KEEPALIVE_S)
                except asyncio.TimeoutError:
                    yield ": keep-alive\n\n"
        finally:
            self._watchers[key] -= 1
