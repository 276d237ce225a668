"""Reading trials in bulk: one query per table for any set of trials, assembled into FrozenTrials."""

from __future__ import annotations

import datetime
import gc
from collections.abc import Collection
from typing import Any

from albacore.distributions import BaseDistribution
from albacore.storages.rdb._codec import DistributionCache, decode_float, load_attr
from albacore.storages.rdb._raw import Cursor
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

__all__ = ["read_trials", "trials_where"]

_STATES = {int(s): s for s in TrialState}


def trials_where(
    study_id: int | None = None,
    *,
    trial_id: int | None = None,
    after_number: int | None = None,
    trial_ids: Collection[int] = (),
    states: Collection[TrialState] | None = None,
) -> tuple[str, list[Any]]:
    """The WHERE clause (on trials aliased ``t``) selecting one trial, or a study's new and listed trials."""
    if trial_id is not None:
        return "t.trial_id = ?", [trial_id]
    assert study_id is not None
    clause = "t.study_id = ?"
    args: list[Any] = [study_id]
    if after_number is not None:
        if trial_ids:
            clause += f" AND (t.number > ? OR t.trial_id IN ({', '.join('?' for _ in trial_ids)}))"
            args += [after_number, *trial_ids]
        else:
            clause += " AND t.number > ?"
            args.append(after_number)
    if states is not None:
        if not states:
            return clause + " AND 1 = 0", args
        clause += f" AND t.state IN ({', '.join('?' for _ in states)})"
        args += [int(s) for s in states]
    return clause, args


_MANY_TRIALS = 10_000
"""From this many trials read at once, their objects are moved to the oldest GC generation (see read_trials)."""

_IN_LIST_LIMIT = 500
"""Up to this many trials, children are fetched by an IN list of ids; beyond, by an id range (see below)."""


def read_trials(
    cursor: Cursor, sql: Any, where: tuple[str, list[Any]], dists: DistributionCache
) -> list[tuple[int, FrozenTrial]]:
    """Return (study id, trial) for the trials matching ``where``, ordered by number.

    ``sql`` turns the qmark text into the driver's form (``RawSQL.sql``).
    """
    # Reading a large study makes millions of small objects; the cyclic garbage collector would scan the
    # growing heap again and again meanwhile (more than half the time at 100,000 trials), and none of
    # these objects form cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        found = _read(cursor, sql, where, dists)
    finally:
        if collecting:
            gc.enable()
    if collecting and len(found) >= _MANY_TRIALS:
        # All these objects are still in the youngest generation, so the first collection after this one
        # would scan them all, and later ones again as they age. They are long-lived (a cache keeps them):
        # moving every tracked object to the oldest generation at once (freeze, then unfreeze) skips those
        # scans; the next full collection looks at them once, as it would have anyway.
        gc.freeze()
        gc.unfreeze()
    return found


def _read(
    cursor: Cursor, sql: Any, where: tuple[str, list[Any]], dists: DistributionCache
) -> list[tuple[int, FrozenTrial]]:
    clause, args = where
    cursor.execute(
        sql(
            "SELECT t.trial_id, t.study_id, t.number, t.state, t.datetime_start, t.datetime_complete "
            f"FROM trials t WHERE {clause} ORDER BY t.number"
        ),
        args,
    )
    rows = cursor.fetchall()
    if not rows:
        return []
    ids = [row[0] for row in rows]
    if len(ids) <= _IN_LIST_LIMIT:
        child_clause, child_args = f"c.trial_id IN ({', '.join('?' for _ in ids)})", ids
    else:
        # A primary-key range scan, cheaper than joining every child row to its trial; rows of other studies'
        # trials inside the range are skipped below (their ids are not in `params`).
        child_clause, child_args = "c.trial_id BETWEEN ? AND ?", [min(ids), max(ids)]

    def children(columns: str, table: str) -> list[Any]:
        cursor.execute(sql(f"SELECT {columns} FROM {table} c WHERE {child_clause}"), child_args)
        result: list[Any] = cursor.fetchall()
        return result

    params: dict[int, dict[str, Any]] = {i: {} for i in ids}
    distributions: dict[int, dict[str, BaseDistribution]] = {i: {} for i in ids}
    # The hottest loop of opening a large study (one row per parameter of every trial): locals only.
    external: dict[str, tuple[Any, BaseDistribution]] = {}  # distribution JSON -> (to_external_repr, it)
    current = -1
    trial_params: dict[str, Any] | None = None
    trial_dists: dict[str, BaseDistribution] = {}
    for trial_id, name, value, dist_json in children(
        "c.trial_id, c.param_name, c.param_value, c.distribution_json", "trial_params"
    ):
        if trial_id != current:
            current = trial_id
            trial_params = params.get(trial_id)
            trial_dists = distributions.get(trial_id, trial_dists)
        if trial_params is None:
            continue
        known = external.get(dist_json)
        if known is None:
            dist = dists.load(dist_json)
            known = external[dist_json] = (dist.to_external_repr, dist)
        trial_params[name] = known[0](value)
        trial_dists[name] = known[1]

    values: dict[int, list[tuple[int, float]]] = {}
    for trial_id, objective, value in children("c.trial_id, c.objective, c.value", "trial_values"):
        if trial_id in params:
            values.setdefault(trial_id, []).append((objective, value))

    intermediate: dict[int, dict[int, float]] = {}
    for trial_id, step, value, kind in children(
        "c.trial_id, c.step, c.value, c.value_kind", "trial_intermediate_values"
    ):
        if trial_id in params:
            intermediate.setdefault(trial_id, {})[step] = decode_float(value, kind)

    attrs: list[dict[int, dict[str, Any]]] = []
    for table in ("trial_user_attrs", "trial_system_attrs"):
        found: dict[int, dict[str, Any]] = {}
        for trial_id, key, text in children('c.trial_id, c."key", c.value_json', table):
            if trial_id in params:
                found.setdefault(trial_id, {})[key] = load_attr(text)
        attrs.append(found)
    user_attrs, system_attrs = attrs

    trials = []
    fromtimestamp = datetime.datetime.fromtimestamp
    for trial_id, study_id, number, state, start, complete in rows:
        trial_values = values.get(trial_id)
        if trial_values is not None and len(trial_values) > 1:
            trial_values.sort()
        trials.append(
            (
                study_id,
                FrozenTrial(
                    number,
                    _STATES[state],
                    None,
                    None if start is None else fromtimestamp(start),
                    None if complete is None else fromtimestamp(complete),
                    params[trial_id],
                    distributions[trial_id],
                    user_attrs.get(trial_id, {}),
                    system_attrs.get(trial_id, {}),
                    intermediate.get(trial_id, {}),
                    trial_id,
                    values=None if trial_values is None else [value for _, value in trial_values],
                ),
            )
        )
    return trials
