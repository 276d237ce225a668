"""The storages a dashboard serves, and what it keeps of each study so that a refresh reads only what changed.

A :class:`StudyTracker` holds a study's trials by number and the figures the study list shows (trial counts by
state, best value, last activity), and updates them from the trials that are new or were unfinished at the last
read. The storages keep finished trials cached behind a watermark (albacore's SQL storages read only trials
numbered above it plus the unfinished ones; journals replay only the records appended since), so a refresh
costs what changed, not the size of the study.
"""

from __future__ import annotations

import datetime
import math
import os
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore._pareto import is_pareto_front, to_minimization
from albacore.exceptions import InvalidArgumentError, StudyNotFoundError
from albacore.storages import BaseStorage, get_storage
from albacore.study import StudyDirection
from albacore.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from albacore.study import Study

__all__ = ["StorageEntry", "Sources", "StudyTracker", "expand_storage_urls"]

# File names a directory argument contributes: SQLite databases and journal files.
_SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
_JOURNAL_SUFFIXES = (".log", ".journal", ".jsonl")


def _file_url(path: Path) -> str | None:
    if path.suffix in _SQLITE_SUFFIXES:
        return f"sqlite:///{path}"
    if path.suffix in _JOURNAL_SUFFIXES:
        return f"journal://{path}"
    return None


def expand_storage_urls(arguments: Sequence[str]) -> list[str]:
    """Storage URLs from what the user gave: URLs as they are, a directory as each database and journal in it.

    A plain path to a file becomes a SQLite URL (``.db``, ``.sqlite``, ``.sqlite3``) or a journal URL (``.log``,
    ``.journal``, ``.jsonl``).

    Example:
        >>> expand_storage_urls(["sqlite:///a.db", "redis://127.0.0.1:6379/0"])
        ['sqlite:///a.db', 'redis://127.0.0.1:6379/0']
    """
    urls: list[str] = []
    for argument in arguments:
        if "://" in argument:
            urls.append(argument)
            continue
        path = Path(argument).resolve()
        if path.is_dir():
            found = [_file_url(p) for p in sorted(path.iterdir()) if p.is_file()]
            urls += [url for url in found if url is not None]
            continue
        url = _file_url(path)
        if url is None:
            raise InvalidArgumentError(
                f"A dashboard storage must be a URL (sqlite:///study.db, journal:///study.log, postgresql://..., "
                f"redis://...), a directory, or a file ending in {_SQLITE_SUFFIXES + _JOURNAL_SUFFIXES}, got "
                f"{argument!r}."
            )
        urls.append(url)
    return urls


def _missing_file(url: str) -> str | None:
    """The file a SQLite or journal URL names when it does not exist (opening it would create it)."""
    for prefix in ("sqlite:///", "journal://"):
        if url.startswith(prefix):
            path = url[len(prefix) :].split("?", 1)[0]
            if path and path != ":memory:" and not os.path.exists(path):
                return path
    return None


@dataclass
class StorageEntry:
    """One storage the dashboard serves.

    Attributes:
        index: Its position, used in the dashboard's URLs.
        label: What the page shows (the URL without any password).
        storage: The open storage, or None when it could not be opened.
        error: Why it could not be opened.
    """

    index: int
    label: str
    storage: BaseStorage | None
    error: str | None = None


def _label(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        credentials, host = rest.split("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}@{host}" if user else f"{scheme}://{host}"
    return url


def _open(index: int, source: str | BaseStorage) -> StorageEntry:
    if isinstance(source, BaseStorage):
        return StorageEntry(index, type(source).__name__, get_storage(source))
    missing = _missing_file(source)
    if missing is not None:
        # Opening it would create an empty database: a dashboard only reads what exists.
        return StorageEntry(index, _label(source), None, f"No such file: {missing}")
    try:
        return StorageEntry(index, _label(source), get_storage(source))
    except Exception as err:  # noqa: BLE001 - any failure to open one storage is shown on the page, not fatal
        return StorageEntry(index, _label(source), None, f"{type(err).__name__}: {err}")


@dataclass
class _Best:
    """The best COMPLETE trial of a single-objective study so far."""

    number: int | None = None
    value: float = math.nan


def _timestamp(moment: datetime.datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


@dataclass
class StudyTracker:
    """One study's trials and summary figures, updated from what changed since the last read.

    Attributes:
        storage: The study's storage.
        index: The storage's index in the dashboard.
        study_id: The study's id in it.
        name: The study's name.
        directions: One direction per objective.
        trials: Every trial, indexed by number.
        version: Goes up by one each time a refresh finds a change.
    """

    storage: BaseStorage
    index: int
    study_id: int
    name: str
    directions: list[StudyDirection]
    trials: list[FrozenTrial] = field(default_factory=list)
    version: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    param_names: dict[str, None] = field(default_factory=dict)
    user_attr_names: dict[str, None] = field(default_factory=dict)
    last_activity: float | None = None
    refreshed_at: float = -math.inf
    _unfinished: set[int] = field(default_factory=set)
    _best: _Best = field(default_factory=_Best)
    _pareto: tuple[int, list[int]] = (-1, [])
    _lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def lock(self) -> threading.RLock:
        """Held while the trials are being updated; hold it to read several fields that must agree."""
        return self._lock

    def trial(self, number: object) -> FrozenTrial:
        """Trial ``number`` (an int or its digits); StudyNotFoundError when the study has no such trial."""
        with self._lock:
            if str(number).isdigit() and int(str(number)) < len(self.trials):
                return self.trials[int(str(number))]
        raise StudyNotFoundError(f"Study {self.name!r} has no trial {number}.")

    def refresh(self) -> list[int]:
        """Read what changed in the storage; return the numbers of new and changed trials."""
        fresh = self.storage.get_all_trials(self.study_id, deepcopy=False)
        with self._lock:
            if fresh and fresh[-1].number != len(fresh) - 1:
                fresh = sorted(fresh, key=lambda t: t.number)  # storages number trials without gaps
            changed = [n for n in sorted(self._unfinished) if n < len(fresh) and fresh[n] != self.trials[n]]
            for number in changed:
                self._forget(self.trials[number])
            start = len(self.trials)
            self.trials[start:] = fresh[start:]
            for number in changed:
                self.trials[number] = fresh[number]
            changed += range(start, len(fresh))
            for number in changed:
                self._account(self.trials[number])
            if changed:
                self.version += 1
            self.refreshed_at = time.monotonic()
            return changed

    def refresh_if_older(self, seconds: float) -> None:
        """Refresh unless the last refresh is less than ``seconds`` old."""
        if time.monotonic() - self.refreshed_at >= seconds:
            self.refresh()

    def _forget(self, trial: FrozenTrial) -> None:
        self.counts[trial.state.name] -= 1
        self._unfinished.discard(trial.number)

    def _account(self, trial: FrozenTrial) -> None:
        self.counts[trial.state.name] += 1
        if not trial.state.is_finished():
            self._unfinished.add(trial.number)
        for name in trial.params:
            self.param_names.setdefault(name)
        for key in trial.user_attrs:
            self.user_attr_names.setdefault(key)
        moment = _timestamp(trial.datetime_complete) or _timestamp(trial.datetime_start)
        if moment is not None and (self.last_activity is None or moment > self.last_activity):
            self.last_activity = moment
        values = trial.values
        if trial.state == TrialState.COMPLETE and values is not None and len(self.directions) == 1:
            sign = -1.0 if self.directions[0] == StudyDirection.MAXIMIZE else 1.0
            best = self._best
            if best.number is None or sign * values[0] < sign * best.value:
                self._best = _Best(trial.number, values[0])

    def best(self) -> dict[str, Any]:
        """The best trial's number and value (one objective), or the Pareto front's trial numbers (several)."""
        with self._lock:
            if len(self.directions) == 1:
                return {
                    "number": self._best.number,
                    "value": self._best.value if self._best.number is not None else None,
                }
            return {"pareto_numbers": self.pareto_numbers()}

    def pareto_numbers(self) -> list[int]:
        """Numbers of the COMPLETE trials no other dominates (computed again only after a change)."""
        with self._lock:
            if self._pareto[0] != self.version:
                done = [t for t in self.trials if t.state == TrialState.COMPLETE and t.values is not None]
                numbers: list[int] = []
                if done:
                    loss = to_minimization(np.array([t.values for t in done]), self.directions)
                    mask = is_pareto_front(loss)
                    numbers = [t.number for t, keep in zip(done, mask, strict=True) if keep]
                self._pareto = (self.version, numbers)
            return list(self._pareto[1])

    def summary(self) -> dict[str, Any]:
        """What the study list shows of this study."""
        with self._lock:
            return {
                "name": self.name,
                "study_id": self.study_id,
                "directions": [d.name.lower() for d in self.directions],
                "n_trials": len(self.trials),
                "counts": {state.name: self.counts.get(state.name, 0) for state in TrialState},
                "best": self.best(),
                "last_activity": self.last_activity,
                "version": self.version,
                "param_names": list(self.param_names),
                "user_attr_names": list(self.user_attr_names),
            }


class Sources:
    """Every storage a dashboard serves, and a tracker per study that some page has asked for.

    Args:
        sources: Storage URLs or storage objects.

    Example:
        >>> import albacore
        >>> storage = albacore.storages.InMemoryStorage()
        >>> study = albacore.create_study(storage=storage, study_name="demo")
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
        >>> [row["n_trials"] for row in Sources([storage]).study_rows()]
        [3]
    """

    def __init__(self, sources: Sequence[str | BaseStorage]) -> None:
        self.entries = [_open(i, source) for i, source in enumerate(sources)]
        self._trackers: dict[tuple[int, int], StudyTracker] = {}
        self._studies: dict[tuple[int, int], Study] = {}
        self._lock = threading.Lock()

    def storage(self, index: int) -> BaseStorage:
        """The open storage at ``index``; StudyNotFoundError when there is none."""
        if not 0 <= index < len(self.entries) or self.entries[index].storage is None:
            raise StudyNotFoundError(f"No open storage has the index {index}.")
        storage = self.entries[index].storage
        assert storage is not None
        return storage

    def tracker(self, index: int, study_id: int) -> StudyTracker:
        """The tracker of a study, made (and filled) on first use; StudyNotFoundError for an unknown study."""
        key = (index, study_id)
        with self._lock:
            tracker = self._trackers.get(key)
            if tracker is None:
                storage = self.storage(index)
                name = storage.get_study_name_from_id(study_id)
                tracker = StudyTracker(storage, index, study_id, name, storage.get_study_directions(study_id))
                self._trackers[key] = tracker
        return tracker

    def tracker_at(self, path_params: Mapping[str, Any]) -> StudyTracker:
        """The tracker of the study a request path names (``storage`` and ``study_id``)."""
        try:
            index, study_id = int(path_params["storage"]), int(path_params["study_id"])
        except ValueError:
            raise StudyNotFoundError("The storage and the study in the path must be integers.") from None
        return self.tracker(index, study_id)

    def study(self, tracker: StudyTracker) -> Study:
        """A Study handle of a tracked study (the random sampler spares building a model-based one)."""
        from albacore.samplers import RandomSampler
        from albacore.study import load_study

        key = (tracker.index, tracker.study_id)
        with self._lock:
            study = self._studies.get(key)
        if study is None:
            study = load_study(study_name=tracker.name, storage=tracker.storage, sampler=RandomSampler())
            with self._lock:
                self._studies[key] = study
        return study

    def forget(self, index: int, study_id: int) -> None:
        """Drop the tracker of a deleted study."""
        with self._lock:
            self._trackers.pop((index, study_id), None)
            self._studies.pop((index, study_id), None)

    def loaded(self) -> list[tuple[tuple[int, int], StudyTracker]]:
        """The trackers made so far, with their keys."""
        with self._lock:
            return list(self._trackers.items())

    def study_rows(self, refresh_after: float = 0.0) -> list[dict[str, Any]]:
        """One summary per study of every open storage (trackers refreshed unless fresher than ``refresh_after``)."""
        rows: list[dict[str, Any]] = []
        for entry in self.entries:
            if entry.storage is None:
                continue
            present = set()
            for study in entry.storage.get_all_studies():
                present.add(study._study_id)
                tracker = self.tracker(entry.index, study._study_id)
                tracker.refresh_if_older(refresh_after)
                rows.append({"storage": entry.index, **tracker.summary()})
            for (index, study_id), _ in self.loaded():
                if index == entry.index and study_id not in present:
                    self.forget(index, study_id)  # deleted by another client
        return rows
