"""Dask: one study shared by every worker of a Dask cluster, the storage living behind the Dask scheduler.

:class:`DaskStorage` takes the arguments of optuna-integration's ``DaskStorage``. The real storage (in memory by
default, or a database or journal URL, or a storage object) is registered on the scheduler; every client, on any
machine of the cluster, reaches it through the scheduler, so workers need no database of their own::

    from dask.distributed import Client, wait
    import albacore
    from albacore.integration.dask import DaskStorage

    client = Client("tcp://scheduler:8786")
    study = albacore.create_study(storage=DaskStorage(client=client))
    futures = [client.submit(study.optimize, objective, n_trials=25, pure=False) for _ in range(8)]
    wait(futures)

What travels is JSON, never a pickle, and little of it: each client keeps the study's finished trials (they never
change) with a watermark, as the cached database storage does, so a refresh reads only the trials that are new
or were unfinished at the last read, and a worker's own running trial is written through.

Each call is one round trip to the scheduler, and not through Dask's own comm when it can be helped: the first
registration opens a small socket server of albacore's own in the scheduler process (the channel), on the
interface the scheduler listens on, TLS with the cluster's certificates when Dask's comm is TLS, and open only to
peers that give the token the scheduler hands out through Dask's comm. A worker that cannot reach it uses Dask's
comm, as do ``inproc://`` clusters; ``dask.config.set({"albacore.dask-storage.channel": False})`` (in the
scheduler's process, or in a client's) keeps every call on Dask's comm.

Heartbeats work as with any storage: give the storage object a ``heartbeat_interval`` (for example
``InMemoryStorage(heartbeat_interval=10, heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback())``) and
a trial whose Dask worker is killed is marked FAIL (and retried) by the next ``ask`` anywhere in the cluster.
"""

from __future__ import annotations

import uuid
from typing import Any

from albacore._optional import require
from albacore.exceptions import InvalidArgumentTypeError
from albacore.integration._dask._backend import SchedulerBackend, heartbeat_config
from albacore.integration._dask._channel_client import retry_channel
from albacore.integration._dask._server import EXTENSION
from albacore.integration._dask._server import register as _register
from albacore.storages._base import BaseStorage
from albacore.storages._cached import _CachedStorage

__all__ = ["DaskStorage"]


class DaskStorage(_CachedStorage):
    """A storage served by the Dask scheduler to every client and worker of the cluster.

    Args:
        storage: What to serve: None for an in-memory storage on the scheduler, a storage URL (opened by the
            scheduler), or a storage object (sent to the scheduler once, when registering).
        name: The storage's name on the scheduler; a random one when None. Several DaskStorage objects (in
            several processes) with one name share one storage.
        client: The Dask client to use; the current one (``distributed.get_client()``) when None, which inside a
            Dask task is the worker's own client.
        register: Register ``storage`` on the scheduler under ``name`` (kept as it is when the name is taken).
            With False, the storage must have been registered already (by another DaskStorage of this name).

    Raises:
        MissingDependencyError: When ``dask[distributed]`` is not installed (``pip install 'albacore[dask]'``).

    Example:
        >>> from dask.distributed import Client, LocalCluster  # doctest: +SKIP
        >>> client = Client(LocalCluster(n_workers=2, processes=False))  # doctest: +SKIP
        >>> study = albacore.create_study(storage=DaskStorage(client=client))  # doctest: +SKIP
    """

    def __init__(
        self,
        storage: str | BaseStorage | None = None,
        name: str | None = None,
        client: Any = None,
        register: bool = True,
    ) -> None:
        distributed = require("distributed", extra="dask", feature="DaskStorage")
        if storage is not None and not isinstance(storage, (str, BaseStorage)):
            raise InvalidArgumentTypeError(
                f"`storage` must be None, a storage URL or a storage object, got {type(storage).__name__}."
            )
        if name is not None and not isinstance(name, str):
            raise InvalidArgumentTypeError(f"`name` must be a string or None, got {type(name).__name__}.")
        name = name or f"albacore-dask-storage-{uuid.uuid4().hex}"
        if client is None:
            client = distributed.get_client()
        backend = SchedulerBackend(name, client, None, heartbeat_known=False)
        if register:
            spec = client.run_on_scheduler(_register, name=name, storage=storage)
            retry_channel(client)  # a scheduler without storages has no channel yet: it may have one now
            if isinstance(storage, BaseStorage) and storage.get_heartbeat_config() is not None:
                # The object itself is here: its callback (whatever it is) runs in the processes that reap.
                backend = SchedulerBackend(name, client, storage.get_heartbeat_config(), heartbeat_known=True)
            else:
                backend = SchedulerBackend(name, client, heartbeat_config(spec), heartbeat_known=True)
        super().__init__(backend)  # type: ignore[arg-type]  # it has the methods of RDBStorage the cache uses

    @property
    def name(self) -> str:
        """The storage's name on the scheduler."""
        return self._remote.name

    @property
    def client(self) -> Any:
        """The Dask client this storage calls the scheduler through."""
        return self._remote.client

    @property
    def _remote(self) -> SchedulerBackend:
        backend: Any = self._backend
        assert isinstance(backend, SchedulerBackend)
        return backend

    def get_base_storage(self) -> BaseStorage:
        """A copy of the storage served by the scheduler (pickled back from it: for inspection and tests)."""
        storage: BaseStorage = self.client.run_on_scheduler(_served_storage, name=self.name)
        return storage

    def claim_waiting_trial(self, study_id: int) -> int | None:
        # One round trip: the scheduler claims the trial and sends it back.
        trial = self._remote._claim(study_id)
        if trial is None:
            return None
        self._keep(study_id, trial)
        return trial._trial_id

    def __repr__(self) -> str:
        return f"DaskStorage(name={self.name!r})"


def _served_storage(name: str, dask_scheduler: Any = None) -> BaseStorage:
    return dask_scheduler.extensions[EXTENSION].storages[name].storage  # type: ignore[no-any-return]
