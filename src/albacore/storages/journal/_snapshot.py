"""Snapshots of a replayed journal as JSON (never pickle): the whole state, in a form that loads fast.

The replayed state is an :class:`~albacore.storages.InMemoryStorage` (the journal reuses its data structures
and rules), so this module reads and rebuilds that storage's records directly. Trials are stored as compact
rows, parameters by their external value, and each distinct distribution once in a table.
"""

from __future__ import annotations

import datetime
import json

from albacore.distributions import BaseDistribution, distribution_to_json, json_to_distribution
from albacore.exceptions import StorageVersionError
from albacore.storages._in_memory import InMemoryStorage, _StudyRecord
from albacore.study._direction import StudyDirection
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

__all__ = ["dump_state", "load_state"]

_FORMAT = 1
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

    studies = []
    for study_id, record in state._studies.items():
        rows = [
            [
                t._trial_id,
                int(t.state),
                t._values,
                _stamp(t.datetime_start),
                _stamp(t.datetime_complete),
                t._params,
                {name: index_of(d) for name, d in t._distributions.items()},
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
        "studies": studies,
    }
    return json.dumps(doc, separators=(",", ":")).encode()


def load_state(data: bytes) -> InMemoryStorage:
    """Rebuild the replayed state from :func:`dump_state` output.

    Raises:
        StorageVersionError: The snapshot was written by a newer albacore.
    """
    doc = json.loads(data)
    if doc.get("format") != _FORMAT:
        raise StorageVersionError(f"Unknown journal snapshot format {doc.get('format')!r}; expected {_FORMAT}.")
    dists = [json_to_distribution(s) for s in doc["distributions"]]
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
        for number, row in enumerate(s["trials"]):
            trial_id, st, values, start, complete, params, kinds, user_attrs, system_attrs, steps = row
            trials.append(
                FrozenTrial(
                    number,
                    states[st],
                    None,
                    None if start is None else fromtimestamp(start),
                    None if complete is None else fromtimestamp(complete),
                    params,
                    {name: dists[i] for name, i in kinds.items()},
                    user_attrs,
                    system_attrs,
                    dict(steps) if steps else {},
                    trial_id,
                    values=values,
                )
            )
            location[trial_id] = (study_id, number)
        state._studies[study_id] = record
        state._name_to_id[record.name] = study_id
    return state
