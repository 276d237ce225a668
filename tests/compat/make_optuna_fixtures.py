"""Write the Optuna storage fixtures that albacore's import tests read (run it with Optuna, never with albacore).

Run it once per Optuna release, each in its own virtual environment that has Optuna, SQLAlchemy and the
drivers (psycopg2-binary, pymysql, redis) but not albacore::

    TZ=Asia/Tokyo venv-optuna-5/bin/python tests/compat/make_optuna_fixtures.py
    TZ=Asia/Tokyo venv-optuna-3/bin/python tests/compat/make_optuna_fixtures.py

It fills the same studies into every kind of Optuna storage it can reach and writes, under
``tests/compat/fixtures/optuna-<version>/``:

- ``sqlite.db``: an SQLite database (vacuumed to 1 KiB pages to stay small);
- ``journal.log``: a journal file;
- ``redis.jsonl``: the entries of a Redis journal, one JSON text per line, in log order (the tests push them
  into Redis under Optuna's key names);
- ``postgresql.sql`` and ``mysql.sql``: plain-SQL dumps (``pg_dump --inserts``, ``mysqldump``) of databases
  that Optuna filled, when ``--postgres-url`` and ``--mysql-url`` name servers (admin URLs; a scratch database
  is created and dropped);
- ``expected-<kind>.json``: what Optuna itself reads back from each storage: studies, directions, attributes
  and every field of every trial, datetimes as seconds since the epoch (so the time zone the script ran in,
  which should not be UTC, is part of the test: naive datetimes in Optuna 3 databases are local time).

Studies: ``single`` (every trial state, float/log/step/int/int-log/int-step/categorical with None and bool
choices, NaN and infinite intermediate values, user and system attributes, a running trial with a heartbeat,
an enqueued waiting trial, ranges that change between trials), ``multi`` (two objectives, metric names,
constraints), ``edge`` (infinite objective values, a categorical-only search space) and a study created and
deleted again (journals must skip it).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from typing import Any

import optuna
import sqlalchemy as sa

VERSION = optuna.__version__
MAJOR = int(VERSION.split(".")[0])
HERE = os.path.dirname(os.path.abspath(__file__))


# --- the studies ----------------------------------------------------------------------------------------------


def _single(storage: Any, *, heartbeat: bool) -> None:
    study = optuna.create_study(
        study_name="single", storage=storage, direction="minimize", sampler=optuna.samplers.RandomSampler(seed=1)
    )
    study.set_user_attr("owner", "fixtures")
    study.set_user_attr("nested", {"list": [1, 2.5, "x"], "none": None})
    study._storage.set_study_system_attr(study._study_id, "custom:system", [1, 2])

    def suggest_all(trial: optuna.Trial, wide: bool) -> float:
        x = trial.suggest_float("x", -10.0 if wide else -5.0, 10.0 if wide else 5.0)
        lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        q = trial.suggest_float("q", 0.0, 10.0, step=0.5)
        n = trial.suggest_int("n", 1, 10)
        nl = trial.suggest_int("nl", 1, 1024, log=True)
        ns = trial.suggest_int("ns", 0, 20, step=2)
        c = trial.suggest_categorical("c", ["a", None, True, 3, 2.5])
        return x * x + lr + q + n + nl + ns + (1.0 if c is None else 0.0)

    # 0: complete, with NaN and infinite intermediate values and attributes.
    trial = study.ask()
    value = suggest_all(trial, wide=False)
    for step, reported in enumerate([3.0, float("nan"), float("inf"), float("-inf"), 0.25]):
        trial.report(reported, step)
    trial.set_user_attr("fold", 3)
    trial.set_user_attr("text", 'é and "quotes"')
    study._storage.set_trial_system_attr(trial._trial_id, "custom:flag", True)
    study.tell(trial, value)
    # 1: pruned after reports at sparse steps.
    trial = study.ask()
    suggest_all(trial, wide=False)
    trial.report(10.0, 0)
    trial.report(9.0, 100)
    study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    # 2: failed.
    trial = study.ask()
    suggest_all(trial, wide=True)
    study.tell(trial, state=optuna.trial.TrialState.FAIL)
    # 3 and 4: complete, with a wider range for x and a categorical None / bool.
    for _ in range(2):
        trial = study.ask()
        study.tell(trial, suggest_all(trial, wide=True))
    # 5: running, never told; with a heartbeat on databases.
    trial = study.ask({"x": optuna.distributions.FloatDistribution(-5, 5)})
    trial.report(0.5, 1)
    if heartbeat:
        study._storage.record_heartbeat(trial._trial_id)
    # 6: enqueued, still waiting (its fixed params are a system attribute).
    study.enqueue_trial({"x": 1.5, "c": None, "n": 2}, user_attrs={"enqueued": True})


def _multi(storage: Any) -> None:
    def constraints(trial: optuna.trial.FrozenTrial) -> list[float]:
        return [trial.params["a"] - 0.5, -1.0]

    sampler = optuna.samplers.NSGAIISampler(seed=2, constraints_func=constraints, population_size=4)
    study = optuna.create_study(
        study_name="multi", storage=storage, directions=["minimize", "maximize"], sampler=sampler
    )
    study.set_metric_names(["loss", "accuracy"])

    def objective(trial: optuna.Trial) -> tuple[float, float]:
        a = trial.suggest_float("a", 0.0, 1.0)
        b = trial.suggest_int("b", -3, 3)
        if b == 3:
            raise optuna.TrialPruned()  # multi-objective trials cannot be pruned by pruners, but may be told so
        return a + b, a * b

    study.optimize(objective, n_trials=6, catch=(ValueError,))
    trial = study.ask()
    trial.suggest_float("a", 0.0, 1.0)
    study.tell(trial, state=optuna.trial.TrialState.FAIL)


def _edge(storage: Any) -> None:
    study = optuna.create_study(
        study_name="edge", storage=storage, direction="maximize", sampler=optuna.samplers.RandomSampler(seed=3)
    )
    for value in (float("inf"), float("-inf"), 1.0):
        trial = study.ask()
        trial.suggest_categorical("flag", [True, False, None])
        study.tell(trial, value)
    optuna.create_study(study_name="deleted", storage=storage)
    optuna.delete_study(study_name="deleted", storage=storage)
    late = optuna.create_study(
        study_name="after-deleted", storage=storage, sampler=optuna.samplers.RandomSampler(seed=4)
    )
    late.optimize(lambda t: t.suggest_int("k", 0, 3), n_trials=2)


def fill(storage: Any, *, heartbeat: bool) -> None:
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    import warnings

    warnings.simplefilter("ignore")  # experimental-feature warnings
    _single(storage, heartbeat=heartbeat)
    _multi(storage)
    _edge(storage)


# --- what Optuna reads back -------------------------------------------------------------------------------------


def _float(value: float) -> Any:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _epoch(moment: Any) -> float | None:
    # Optuna hands out naive local datetimes: .timestamp() reads them in this process's time zone.
    return None if moment is None else moment.timestamp()


def expected(storage: Any) -> dict[str, Any]:
    studies = []
    for summary in sorted(
        optuna.get_all_study_summaries(storage, include_best_trial=False), key=lambda s: s.study_name
    ):
        study = optuna.load_study(study_name=summary.study_name, storage=storage)
        trials = []
        for t in study.get_trials(deepcopy=False):
            trials.append(
                {
                    "number": t.number,
                    "state": t.state.name,
                    "values": None if t.values is None else [_float(v) for v in t.values],
                    "datetime_start": _epoch(t.datetime_start),
                    "datetime_complete": _epoch(t.datetime_complete),
                    "params": t.params,
                    "distributions": {
                        k: optuna.distributions.distribution_to_json(d) for k, d in t.distributions.items()
                    },
                    "user_attrs": t.user_attrs,
                    "system_attrs": t.system_attrs,
                    "intermediate_values": {str(k): _float(v) for k, v in t.intermediate_values.items()},
                }
            )
        studies.append(
            {
                "name": study.study_name,
                "directions": [d.name for d in study.directions],
                "user_attrs": study.user_attrs,
                "system_attrs": study._storage.get_study_system_attrs(study._study_id),
                "trials": trials,
            }
        )
    return {"optuna_version": VERSION, "timezone": time.strftime("%z"), "studies": studies}


def _write_json(path: str, data: Any) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, sort_keys=True, allow_nan=False, ensure_ascii=False)
        f.write("\n")


# --- storages ---------------------------------------------------------------------------------------------------


def _journal_file_storage(path: str) -> Any:
    if MAJOR >= 4:
        return optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(path))
    return optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(path))


def _journal_redis_storage(url: str, prefix: str) -> Any:
    if MAJOR >= 4:
        return optuna.storages.JournalStorage(optuna.storages.journal.JournalRedisBackend(url, prefix=prefix))
    return optuna.storages.JournalStorage(optuna.storages.JournalRedisStorage(url, prefix=prefix))


def make_sqlite(out: str) -> None:
    path = os.path.join(out, "sqlite.db")
    if os.path.exists(path):
        os.remove(path)
    storage = optuna.storages.RDBStorage(f"sqlite:///{path}", heartbeat_interval=60)
    fill(storage, heartbeat=True)
    _write_json(os.path.join(out, "expected-sqlite.json"), expected(storage))
    storage.engine.dispose()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA page_size = 1024")
    conn.execute("VACUUM")
    conn.close()


def make_journal(out: str) -> None:
    path = os.path.join(out, "journal.log")
    if os.path.exists(path):
        os.remove(path)
    storage = _journal_file_storage(path)
    fill(storage, heartbeat=False)
    _write_json(os.path.join(out, "expected-journal.json"), expected(storage))


def make_redis(out: str, url: str) -> None:
    import redis

    prefix = f"fixture-{uuid.uuid4().hex[:8]}"
    storage = _journal_redis_storage(url, prefix)
    fill(storage, heartbeat=False)
    _write_json(os.path.join(out, "expected-redis.json"), expected(storage))
    client = redis.Redis.from_url(url)
    last = int(client.get(f"{prefix}:log_number"))
    with open(os.path.join(out, "redis.jsonl"), "wb") as f:
        for number in range(last + 1):
            f.write(client.get(f"{prefix}:log:{number}") + b"\n")
    client.delete(f"{prefix}:log_number", *[f"{prefix}:log:{n}" for n in range(last + 1)], f"{prefix}:snapshot")


def _scratch(admin_url: str, name: str) -> tuple[sa.Engine, str]:
    url = sa.make_url(admin_url)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    return admin, url.set(database=name).render_as_string(hide_password=False)


def make_server(out: str, kind: str, admin_url: str) -> None:
    name = f"optuna_fixture_{uuid.uuid4().hex[:8]}"
    admin, url = _scratch(admin_url, name)
    try:
        storage = optuna.storages.RDBStorage(url, heartbeat_interval=60)
        fill(storage, heartbeat=True)
        _write_json(os.path.join(out, f"expected-{kind}.json"), expected(storage))
        storage.engine.dispose()
        parsed = sa.make_url(url)
        if kind == "postgresql":
            command = ["pg_dump", "--inserts", "--no-owner", "--no-privileges", "--no-comments"]
            command += ["-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432)]
            command += ["-U", parsed.username or "postgres", name]
        else:
            command = ["mysqldump", "--skip-comments", "--skip-dump-date", "--skip-extended-insert"]
            command += ["-h", parsed.host or "127.0.0.1", "-P", str(parsed.port or 3306)]
            command += ["-u", parsed.username or "root", name]
        dump = subprocess.run(command, check=True, capture_output=True).stdout
        # Lines that only restore session settings or name the server's version are left out: the tests load
        # the dump into a fresh database of their own, whose connection needs none of them.
        kept = [
            line for line in dump.splitlines() if not line.startswith((b"SET ", b"SELECT pg_catalog.set_config", b"\\"))
        ]
        with open(os.path.join(out, f"{kind}.sql"), "wb") as f:
            f.write(b"\n".join(kept) + b"\n")
    finally:
        with admin.connect() as conn:
            if kind == "postgresql":
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            else:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join(HERE, "fixtures", f"optuna-{VERSION}"))
    parser.add_argument("--redis-url", default=os.environ.get("ALBACORE_TEST_REDIS_URL"))
    parser.add_argument("--postgres-url", default=os.environ.get("ALBACORE_TEST_POSTGRES_URL"))
    parser.add_argument("--mysql-url", default=os.environ.get("ALBACORE_TEST_MYSQL_URL"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    make_sqlite(args.out)
    make_journal(args.out)
    if args.redis_url:
        make_redis(args.out, args.redis_url)
    if args.postgres_url:
        make_server(args.out, "postgresql", args.postgres_url.replace("postgresql://", "postgresql+psycopg2://", 1))
    if args.mysql_url:
        make_server(args.out, "mysql", args.mysql_url.replace("mysql://", "mysql+pymysql://", 1))
    print(f"wrote fixtures of Optuna {VERSION} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
