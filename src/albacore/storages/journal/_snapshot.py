"""Snapshots of a replayed journal as JSON (never pickle): the whole state, in a form that loads fast.

The replayed state is an :class:`~albacore.storages.InMemoryStorage` (the journal reuses its data structures
and rules), so this module reads and rebuilds that storage's records directly. Trials are stored as compact
rows, parameters by their external value, and each distinct distribution once in a table.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import json
from collections.abc import Iterator
from typing import Any

from albacore._study_records import StudyDirection
from albacore.distributions import BaseDistribution, distribution_to_json, json_to_distribution
from albacore.exceptions import StorageVersionError
from albacore.storages._in_memory import InMemoryStorage, _StudyRecord
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

__all__ = ["dump_state", "gc_paused", "load_state"]

_FORMAT = 2
_STATES = list(TrialState)
_DIRECTIONS = list(StudyDirection)


def _stamp(dt: datetime.datetime | None) -> float | None:
    return None if dt is None else dt.timestamp()


def dump_state(state: InMemoryStorage) -> bytes:
    """Serialize the replayed state to JSON bytes."""
    dist_index: dict[BaseDistribution, int] = {}
    dists: list[str] = []

    def index_of(dist: BaseDistribution) -> int:
        i = dist_index.get(dist)
        if i is None:
            i = dist_index[dist] = len(dists)
            dists.append(distribution_to_json(dist))
        return i

    # Trials of a study mostly share their parameter names and distributions: each distinct combination (a
    # "layout") is written once and trials list only their values, which makes the snapshot smaller and
    # faster to parse than one dictionary per trial.
    layout_index: dict[tuple[tuple[str, int], ...], int] = {}
    layouts: list[list[list[Any]]] = []
    # Replayed trials share distribution objects (one per distinct JSON), so most layouts are found by the
    # identity of their objects, without hashing a distribution (which encodes it as JSON) for every trial.
    # The state holds every object listed here, so no id is reused while this runs.
    layout_by_ids: dict[tuple[Any, ...], int] = {}

    def layout_of(trial: FrozenTrial) -> int:
        by_ids = (*trial._distributions, *map(id, trial._distributions.values()))
        i = layout_by_ids.get(by_ids)
        if i is not None:
            return i
        key = tuple((name, index_of(d)) for name, d in trial._distributions.items())
        i = layout_index.get(key)
        if i is None:
            i = layout_index[key] = len(layouts)
            layouts.append([[name for name, _ in key], [d for _, d in key]])
        layout_by_ids[by_ids] = i
        return i

    studies = []
    for study_id, record in state._studies.items():
        rows = [
            [
                t._trial_id,
                int(t.state),
                t._values,
                _stamp(t.datetime_start),
                _stamp(t.datetime_complete),
                layout_of(t),
                [t._params[name] for name in t._distributions],
                t.user_attrs,
                t.system_attrs,
                list(t.intermediate_values.items()),
            ]
            for t in record.trials
        ]
        studies.append(
            {
                "id": study_id,
                "name": record.name,
                "directions": [int(d) for d in record.directions],
                "user_attrs": record.user_attrs,
                "system_attrs": record.system_attrs,
                "kinds": {name: index_of(d) for name, d in record.param_kinds.items()},
                "best": record.best_number,
                "waiting": record.waiting,
                "trials": rows,
            }
        )
    doc = {
        "format": _FORMAT,
        "next_study_id": state._next_study_id,
        "next_trial_id": state._next_trial_id,
        "distributions": dists,
        "layouts": layouts,
        "studies": studies,
    }
    return json.dumps(doc, separators=(",", ":")).encode()


def load_state(data: bytes) -> InMemoryStorage:
    """Rebuild the replayed state from :func:`dump_state` output.

    Raises:
        StorageVersionError: The snapshot was written by a newer albacore.
    """
    with gc_paused():
        return _load_state(data)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects that form no cycles.

    Millions of new containers (decoding JSON, rebuilding trials) trigger full collections over a growing
    heap, for nothing: that made opening a journal of 100,000 trials several times slower.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_state(data: bytes) -> InMemoryStorage:
    doc = json.loads(data)
    if doc.get("format") != _FORMAT:
        raise StorageVersionError(f"Unknown journal snapshot format {doc.get('format')!r}; expected {_FORMAT}.")
    dists = [json_to_distribution(s) for s in doc["distributions"]]
    layouts = [
        (names, {name: dists[i] for name, i in zip(names, kinds, strict=True)}) for names, kinds in doc["layouts"]
    ]
    fromtimestamp = datetime.datetime.fromtimestamp
    states = _STATES
    state = InMemoryStorage()
    state._next_study_id = doc["next_study_id"]
    state._next_trial_id = doc["next_trial_id"]
    location = state._trial_location
    for s in doc["studies"]:
        study_id = s["id"]
        record = _StudyRecord(s["name"], [_DIRECTIONS[d] for d in s["directions"]])
        record.user_attrs = s["user_attrs"]
        record.system_attrs = s["system_attrs"]
        record.param_kinds = {name: dists[i] for name, i in s["kinds"].items()}
        record.best_number = s["best"]
        record.waiting = s["waiting"]
        trials = record.trials
        new = FrozenTrial.__new__
        for number, row in enumerate(s["trials"]):
            trial_id, st, values, start, complete, layout, param_values, user_attrs, system_attrs, steps = row
            names, layout_dists = layouts[layout]
            # Filled slot by slot instead of through __init__, which validates and copies: this loop is most
            # of the time it takes to open a long journal. test_journal checks the result equals a replay.
            t = new(FrozenTrial)
            t.number = number
            t.state = states[st]
            t._values = values
            t.datetime_start = None if start is None else fromtimestamp(start)
            t.datetime_complete = None if complete is None else fromtimestamp(complete)
            t._params = dict(zip(names, param_values, strict=True))
            t._distributions = dict(layout_dists)
            t.user_attrs = user_attrs
            t.system_attrs = system_attrs
            t.intermediate_values = {step: value for step, value in steps} if steps else {}
            t._trial_id = trial_id
            trials.append(t)
            location[trial_id] = (study_id, number)
        state._studies[study_id] = record
        state._name_to_id[record.name] = study_id
    return state
