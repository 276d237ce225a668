"""Writing whole studies into albacore's tables on one connection (in the caller's transaction).

Used to convert another schema in place: the rows keep the ids they are given, so references to trial ids
inside attributes stay true. The caller makes the tables and the version row; PostgreSQL's id sequences are
moved past the ids written here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from albacore.distributions import BaseDistribution, distribution_to_json
from albacore.exceptions import InvalidArgumentError
from albacore.storages.rdb import _models as m
from albacore.storages.rdb._codec import dump_attr, encode_float, to_epoch
from albacore.trial import FrozenTrial

__all__ = ["advance_sequences", "insert_study"]


def _attr_rows(key_column: str, owner: int, attrs: dict[str, Any]) -> list[dict[str, Any]]:
    return [{key_column: owner, "key": key, "value_json": dump_attr(key, value)} for key, value in attrs.items()]


def insert_study(
    conn: sa.Connection,
    study_id: int,
    name: str,
    directions: Iterable[int],
    user_attrs: dict[str, Any],
    system_attrs: dict[str, Any],
    trials: list[FrozenTrial],
) -> None:
    """Insert one study and its trials (each keeping its ``_trial_id``) with albacore's encodings.

    Raises:
        InvalidArgumentError: A value the database cannot hold (an infinite objective value on MySQL).
    """
    mysql = conn.dialect.name in ("mysql", "mariadb")
    next_number = 1 + max((t.number for t in trials), default=-1)
    conn.execute(
        sa.insert(m.studies),
        [
            {
                "study_id": study_id,
                "study_name": name,
                "directions": json.dumps(list(directions)),
                "next_trial_number": next_number,
            }
        ],
    )
    for table, attrs in ((m.study_user_attrs, user_attrs), (m.study_system_attrs, system_attrs)):
        rows = _attr_rows("study_id", study_id, attrs)
        if rows:
            conn.execute(sa.insert(table), rows)
    kinds: dict[str, BaseDistribution] = {}
    texts: dict[int, str] = {}

    def text_of(dist: BaseDistribution) -> str:
        # Few distinct distributions, many rows: encode each object once.
        found = texts.get(id(dist))
        if found is None:
            found = texts[id(dist)] = distribution_to_json(dist)
        return found

    rows_by_table: dict[sa.Table, list[dict[str, Any]]] = {
        table: []
        for table in (
            m.trials,
            m.trial_params,
            m.trial_values,
            m.trial_intermediate_values,
            m.trial_user_attrs,
            m.trial_system_attrs,
        )
    }
    for trial in sorted(trials, key=lambda t: t.number):
        trial_id = trial._trial_id
        rows_by_table[m.trials].append(
            {
                "trial_id": trial_id,
                "study_id": study_id,
                "number": trial.number,
                "state": int(trial.state),
                "datetime_start": to_epoch(trial.datetime_start),
                "datetime_complete": to_epoch(trial.datetime_complete),
            }
        )
        for param, dist in trial.distributions.items():
            kinds.setdefault(param, dist)
            rows_by_table[m.trial_params].append(
                {
                    "trial_id": trial_id,
                    "param_name": param,
                    "param_value": float(dist.to_internal_repr(trial.params[param])),
                    "distribution_json": text_of(dist),
                }
            )
        for objective, value in enumerate(trial.values or ()):
            if mysql and not math.isfinite(value):
                raise InvalidArgumentError(
                    f"Trial #{trial.number} of study {name!r} has the objective value {value}, which albacore's "
                    "MySQL/MariaDB schema cannot hold; keep the study in SQLite or PostgreSQL."
                )
            rows_by_table[m.trial_values].append({"trial_id": trial_id, "objective": objective, "value": value})
        for step, value in trial.intermediate_values.items():
            stored, kind = encode_float(value)
            rows_by_table[m.trial_intermediate_values].append(
                {"trial_id": trial_id, "step": step, "value": stored, "value_kind": kind}
            )
        rows_by_table[m.trial_user_attrs] += _attr_rows("trial_id", trial_id, trial.user_attrs)
        rows_by_table[m.trial_system_attrs] += _attr_rows("trial_id", trial_id, trial.system_attrs)
    if kinds:
        conn.execute(
            sa.insert(m.study_param_kinds),
            [{"study_id": study_id, "param_name": p, "distribution_json": text_of(d)} for p, d in kinds.items()],
        )
    for table, rows in rows_by_table.items():
        if rows:
            conn.execute(sa.insert(table), rows)


def advance_sequences(conn: sa.Connection) -> None:
    """Move PostgreSQL's id sequences past the ids written explicitly (the other databases do it themselves)."""
    if conn.dialect.name != "postgresql":
        return
    for table, column in ((m.studies, "study_id"), (m.trials, "trial_id")):
        conn.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column}'), "
                f"COALESCE((SELECT MAX({column}) FROM {table.name}), 0) + 1, false)"
            )
        )
