"""Converting an Optuna database in place: everything survives, in one transaction where the database allows."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from tests.storages._optuna_sources import (
    RELEASES,
    assert_holds,
    expected,
    naive_timezone,
    optuna_source,
    server_database,
)

import albacore
from albacore.storages import get_storage
from albacore.storages._optuna import convert_optuna_database
from albacore.storages._optuna._rdb import optuna_revision
from albacore.storages.rdb import _bulk
from albacore.storages.rdb._engine import normalize_url

__all__ = ["optuna_source", "server_database"]  # fixtures, used by name


def _drop_optuna_study(url: str, name: str) -> None:
    """Delete a study from an Optuna database, children first (Optuna's foreign keys do not cascade)."""
    engine = sa.create_engine(normalize_url(url))
    trials = "SELECT t.trial_id FROM trials t JOIN studies s ON s.study_id = t.study_id WHERE s.study_name = :n"
    with engine.begin() as conn:
        ids = [row[0] for row in conn.execute(sa.text(trials), {"n": name})]
        for table in ("trial_heartbeats", "trial_intermediate_values", "trial_values", "trial_params"):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE trial_id IN ({', '.join(map(str, ids)) or 'NULL'})"))
        for table in ("trial_system_attributes", "trial_user_attributes"):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE trial_id IN ({', '.join(map(str, ids)) or 'NULL'})"))
        study = "(SELECT study_id FROM studies WHERE study_name = :n)"
        for table in ("trials", "study_system_attributes", "study_user_attributes", "study_directions"):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE study_id IN {study}"), {"n": name})
        conn.execute(sa.text("DELETE FROM studies WHERE study_name = :n"), {"n": name})
    engine.dispose()


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("kind", ["sqlite", "postgresql", "mysql"])
def test_conversion_keeps_every_field_and_the_ids(release: str, kind: str, optuna_source: Any) -> None:
    url = optuna_source(release, kind)
    want = expected(release, kind)
    n_studies, n_trials = 4, 19
    if kind == "mysql":
        # The study "edge" has infinite objective values, which albacore's MySQL schema cannot hold.
        _drop_optuna_study(url, "edge")
        want["studies"] = [s for s in want["studies"] if s["name"] != "edge"]
        n_studies, n_trials = 3, 16
    report = convert_optuna_database(url, naive_timezone=naive_timezone(release))
    assert (report.optuna_revision, report.studies, report.trials) == ("v3.2.0.a", n_studies, n_trials)
    storage = get_storage(url)
    assert_holds(storage, want, heartbeats=True)
    # Trial ids are kept: NSGA-II's record of parents (trial ids) still names the trials of "multi".
    study = albacore.load_study(study_name="multi", storage=storage)
    for key, parents in study.system_attrs.items():
        if key.startswith("NSGAIISampler:parent"):
            assert set(parents) <= {t._trial_id for t in study.trials}
    # New trials get fresh ids and the next numbers.
    single = albacore.load_study(study_name="after-deleted", storage=storage)
    single.optimize(lambda t: t.suggest_int("k", 0, 3), n_trials=2)
    assert [t.number for t in single.trials] == [0, 1, 2, 3]
    engine = sa.create_engine(normalize_url(url))
    with engine.connect() as conn:
        assert optuna_revision(conn) is None
        assert not {"study_directions", "trial_heartbeats", "version_info"} & set(sa.inspect(conn).get_table_names())
    engine.dispose()


def test_mysql_conversion_refuses_infinite_values_and_puts_optuna_tables_back(optuna_source: Any) -> None:
    url = optuna_source("optuna-5.0.0", "mysql")
    with pytest.raises(albacore.exceptions.InvalidArgumentError, match="cannot hold"):
        convert_optuna_database(url)
    engine = sa.create_engine(normalize_url(url))
    with engine.connect() as conn:
        assert optuna_revision(conn) == "v3.2.0.a"
        assert not any(t.startswith("optuna_old_") for t in sa.inspect(conn).get_table_names())
    engine.dispose()
    with pytest.raises(albacore.exceptions.StorageVersionError, match="is an Optuna storage"):
        get_storage(url)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_failed_conversion_leaves_the_optuna_database_as_it_was(
    kind: str, optuna_source: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = optuna_source("optuna-5.0.0", kind)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(_bulk, "advance_sequences", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        convert_optuna_database(url)
    monkeypatch.undo()
    report = convert_optuna_database(url)
    assert report.trials == 19
