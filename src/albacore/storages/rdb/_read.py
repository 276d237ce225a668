"""Reading trials in bulk: one query per table for any set of trials, assembled into FrozenTrials."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from albacore.distributions import BaseDistribution
from albacore.storages.rdb._codec import DistributionCache, decode_float, from_epoch, load_attr
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


def read_trials(
    cursor: Cursor, sql: Any, where: tuple[str, list[Any]], dists: DistributionCache
) -> list[tuple[int, FrozenTrial]]:
    """Return (study id, trial) for the trials matching ``where``, ordered by number.

    ``sql`` turns the qmark text into the driver's form (``RawSQL.sql``).
    """
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

    def children(columns: str, table: str) -> list[Any]:
        cursor.execute(
            sql(f"SELECT {columns} FROM {table} c JOIN trials t ON t.trial_id = c.trial_id WHERE {clause}"), args
        )
        result: list[Any] = cursor.fetchall()
        return result

    params: dict[int, dict[str, Any]] = {}
    distributions: dict[int, dict[str, BaseDistribution]] = {}
    load = dists.load
    for trial_id, name, value, dist_json in children(
        "c.trial_id, c.param_name, c.param_value, c.distribution_json", "trial_params"
    ):
        dist = load(dist_json)
        if trial_id not in params:
            params[trial_id] = {}
            distributions[trial_id] = {}
        params[trial_id][name] = dist.to_external_repr(value)
        distributions[trial_id][name] = dist

    values: dict[int, list[tuple[int, float]]] = {}
    for trial_id, objective, value in children("c.trial_id, c.objective, c.value", "trial_values"):
        values.setdefault(trial_id, []).append((objective, value))

    intermediate: dict[int, dict[int, float]] = {}
    for trial_id, step, value, kind in children(
        "c.trial_id, c.step, c.value, c.value_kind", "trial_intermediate_values"
    ):
        intermediate.setdefault(trial_id, {})[step] = decode_float(value, kind)

    attrs: list[dict[int, dict[str, Any]]] = []
    for table in ("trial_user_attrs", "trial_system_attrs"):
        found: dict[int, dict[str, Any]] = {}
        for trial_id, key, text in children('c.trial_id, c."key", c.value_json', table):
            found.setdefault(trial_id, {})[key] = load_attr(text)
        attrs.append(found)
    user_attrs, system_attrs = attrs

    trials = []
    for trial_id, study_id, number, state, start, complete in rows:
        trial_values = values.get(trial_id)
        if trial_values is not None:
            trial_values.sort()
        trials.append(
            (
                study_id,
                FrozenTrial(
                    number,
                    _STATES[state],
                    None,
                    from_epoch(start),
                    from_epoch(complete),
                    params.get(trial_id, {}),
                    distributions.get(trial_id, {}),
                    user_attrs.get(trial_id, {}),
                    system_attrs.get(trial_id, {}),
                    intermediate.get(trial_id, {}),
                    trial_id,
                    values=None if trial_values is None else [value for _, value in trial_values],
                ),
            )
        )
    return trials
