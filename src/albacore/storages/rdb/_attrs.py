"""Conditional writes of study attributes: the compare-and-set of the storage contract, in one transaction."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from albacore.storages.rdb import _models as m
from albacore.storages.rdb._trial_reads import missing_study

__all__ = ["compare_and_set_attr"]


def compare_and_set_attr(conn: sa.Connection, study_id: int, key: str, expected: Any, text: str, lock: bool) -> bool:
    """Write the system attribute ``key`` as JSON ``text`` if it holds ``expected`` (None: absent).

    Returns True when written, False when the attribute held something else; raises StudyNotFoundError for
    an unknown study. With ``lock`` the study row and the attribute row are read ``FOR UPDATE``, so callers on
    one study take turns even while the attribute is absent; two first inserts racing anyway clash on the
    primary key, and the caller's retry then reads the winner's value.
    """
    t = m.study_system_attrs
    where = (t.c.study_id == study_id) & (t.c.key == key)
    study = sa.select(m.studies.c.study_id).where(m.studies.c.study_id == study_id)
    if conn.execute(study.with_for_update() if lock else study).first() is None:
        raise missing_study(study_id)
    current = sa.select(t.c.value_json).where(where)
    found = conn.execute(current.with_for_update() if lock else current).scalar()
    if (None if found is None else json.loads(found)) != expected:
        return False
    if found is None:
        conn.execute(sa.insert(t).values(study_id=study_id, key=key, value_json=text))
    else:
        conn.execute(sa.update(t).where(where).values(value_json=text))
    return True
