"""Reading trials in bulk: one query per table for any set of trials, assembled into FrozenTrials."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

import sqlalchemy as sa

from albacore.distributions import BaseDistribution
from albacore.storages.rdb import _models as m
from albacore.storages.rdb._codec import DistributionCache, decode_float, from_epoch, load_attr
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

__all__ = ["read_trials", "trials_condition"]

_STATES = {int(s): s for s in TrialState}


def trials_condition(
    study_id: int | None = None,
    *,
    trial_id: int | None = None,
    after_number: int | None = None,
    trial_ids: Collection[int] = (),
    states: Collection[TrialState] | None = None,
) -> sa.ColumnElement[bool]:
    """The WHERE clause selecting trials: one trial, or a study's trials (new ones and listed ones)."""
    t = m.trials
    if trial_id is not None:
        return t.c.trial_id == trial_id
    assert study_id is not None
    cond: sa.ColumnElement[bool] = t.c.study_id == study_id
    if after_number is not None:
        newer: sa.ColumnElement[bool] = t.c.number > after_number
        cond = sa.and_(cond, sa.or_(newer, t.c.trial_id.in_(list(trial_ids))) if trial_ids else newer)
    if states is not None:
        cond = sa.and_(cond, t.c.state.in_([int(s) for s in states]))
    return cond


def read_trials(conn: sa.Connection, cond: sa.ColumnElement[bool], dists: DistributionCache) -> list[FrozenTrial]:
    """Return the trials matching ``cond``, ordered by number, with everything that belongs to them."""
    t = m.trials
    rows = conn.execute(
        sa.select(t.c.trial_id, t.c.number, t.c.state, t.c.datetime_start, t.c.datetime_complete)
        .where(cond)
        .order_by(t.c.number)
    ).all()
    if not rows:
        return []

    def children(*columns: sa.ColumnElement[Any], table: sa.Table) -> Iterator[Any]:
        return iter(conn.execute(sa.select(*columns).join(t, t.c.trial_id == table.c.trial_id).where(cond)))

    params: dict[int, dict[str, Any]] = {}
    distributions: dict[int, dict[str, BaseDistribution]] = {}
    p = m.trial_params
    for trial_id, name, value, dist_json in children(
        p.c.trial_id, p.c.param_name, p.c.param_value, p.c.distribution_json, table=p
    ):
        dist = dists.load(dist_json)
        if trial_id not in params:
            params[trial_id] = {}
            distributions[trial_id] = {}
        params[trial_id][name] = dist.to_external_repr(value)
        distributions[trial_id][name] = dist

    values: dict[int, list[tuple[int, float]]] = {}
    v = m.trial_values
    for trial_id, objective, value in children(v.c.trial_id, v.c.objective, v.c.value, table=v):
        values.setdefault(trial_id, []).append((objective, value))

    intermediate: dict[int, dict[int, float]] = {}
    iv = m.trial_intermediate_values
    for trial_id, step, value, kind in children(iv.c.trial_id, iv.c.step, iv.c.value, iv.c.value_kind, table=iv):
        intermediate.setdefault(trial_id, {})[step] = decode_float(value, kind)

    attrs: list[dict[int, dict[str, Any]]] = []
    for table in (m.trial_user_attrs, m.trial_system_attrs):
        found: dict[int, dict[str, Any]] = {}
        for trial_id, key, text in children(table.c.trial_id, table.c.key, table.c.value_json, table=table):
            found.setdefault(trial_id, {})[key] = load_attr(text)
        attrs.append(found)
    user_attrs, system_attrs = attrs

    trials = []
    for trial_id, number, state, start, complete in rows:
        trial_values = values.get(trial_id)
        trials.append(
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
                values=None if trial_values is None else [value for _, value in sorted(trial_values)],
            )
        )
    return trials
