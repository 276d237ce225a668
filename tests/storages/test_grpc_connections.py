"""The gRPC proxy holds database connections bounded by its storage's pool size, however many workers call it."""

from __future__ import annotations

import pathlib
import threading
from typing import Any

import pytest

import albacore
from albacore.storages import RDBStorage
from albacore.trial import TrialState

grpc = pytest.importorskip("grpc")
sa = pytest.importorskip("sqlalchemy")

from tests.storages._grpc_proxy import client, serving  # noqa: E402


def objective(trial: albacore.Trial) -> float:
    x = trial.suggest_float("x", -1, 1)
    trial.suggest_int("n", 0, 9)
    return x * x


def _count_connections(engine: Any) -> list[int]:
    """[database connections open now, the most open at once so far], kept by the pool's events.

    The storage's fast path takes connections from the pool once and keeps them apart (detached), so they are
    counted from their opening to their closing, not by checkouts.
    """
    counts = [0, 0]
    lock = threading.Lock()

    def opened(*_: Any) -> None:
        with lock:
            counts[0] += 1
            counts[1] = max(counts[1], counts[0])

    def closed(*_: Any) -> None:
        with lock:
            counts[0] -= 1

    sa.event.listen(engine.pool, "connect", opened)
    sa.event.listen(engine.pool, "close", closed)
    sa.event.listen(engine.pool, "close_detached", closed)
    return counts


@pytest.mark.parametrize("pool_size", [1, 3])
def test_calls_beyond_the_pool_size_wait_in_the_proxy(tmp_path: pathlib.Path, pool_size: int) -> None:
    storage = RDBStorage(f"sqlite:///{tmp_path / 'pool.db'}", engine_kwargs={"pool_size": pool_size})
    counts = _count_connections(storage.engine)
    with serving(storage) as (port, _):
        albacore.create_study(storage=client(port), study_name="s")

        def work() -> None:
            study = albacore.load_study(study_name="s", storage=client(port))
            study.optimize(objective, n_trials=10)

        threads = [threading.Thread(target=work) for _ in range(8)]  # eight workers, sixteen proxy threads
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        trials = albacore.load_study(study_name="s", storage=client(port)).trials
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 80
    # At most pool_size calls at once: pool_size connections for the fast path, and the pool's own ones (at most
    # pool_size too, never an overflow), however many workers and proxy threads there are.
    assert 1 <= counts[1] <= 2 * pool_size
