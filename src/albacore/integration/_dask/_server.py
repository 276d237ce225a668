"""The scheduler's side of DaskStorage: the storages registered by name and the handler that serves them.

A storage registered on the scheduler (``_register``, run there through ``Client.run_on_scheduler``) is held by
one :class:`StorageServer` in ``scheduler.extensions``; the scheduler's comm handler ``albacore_storage`` takes
a JSON request ``[operation, arguments]`` for a named storage and answers ``["ok", result]`` or
``["error", [type name, arguments]]``. The operations are the storage methods plus the few reads and writes a
client's watermark cache needs (``read_trials``, ``create_trial`` returning the trial as stored, ...), so a
worker's trial costs few round trips and only what changed travels.

The same requests also arrive through the channel (``_channel``), a socket server of albacore's own that the
first registration opens beside the scheduler's comm: a call there costs far less than a Dask round trip, and the
handler ``albacore_storage_channel`` tells clients how to reach it.

Any albacore storage can be served. The in-memory one answers on the event loop that received the call (the
scheduler's, or the channel's; its calls take microseconds); the others (databases, journals) answer from a
small thread pool, so a slow query never holds up the scheduler's own work.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable
from typing import Any

from albacore._study_records import StudyDirection
from albacore.exceptions import StorageInternalError, StudyNotFoundError
from albacore.integration._dask._channel import ChannelServer
from albacore.integration._dask._codec import CODEC, dumps, encode_error, loads
from albacore.logging import get_logger
from albacore.storages._base import BaseStorage
from albacore.storages._callbacks import RetryHeartbeatStaleTrialCallback
from albacore.storages._in_memory import InMemoryStorage
from albacore.storages._url import get_storage
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

__all__ = [
    "CHANNEL_CONFIG",
    "CHANNEL_HANDLER",
    "CHANNEL_PORT_CONFIG",
    "EXTENSION",
    "HANDLER",
    "StorageServer",
    "register",
]

_logger = get_logger(__name__)

EXTENSION = "albacore_storages"
"""Key of the :class:`StorageServer` in ``scheduler.extensions``."""

HANDLER = "albacore_storage"
"""Name of the scheduler's comm handler (``client.scheduler.albacore_storage(name=..., request=...)``)."""

CHANNEL_HANDLER = "albacore_storage_channel"
"""Name of the scheduler's comm handler that tells a client how to reach the channel (``_channel``)."""

CHANNEL_CONFIG = "albacore.dask-storage.channel"
"""Dask configuration key: False keeps every storage call on Dask's comm (the channel is on by default)."""

CHANNEL_PORT_CONFIG = "albacore.dask-storage.channel-port"
"""Dask configuration key, read by the scheduler: the channel's port (0, the default, for a free one)."""


class _Served:
    """One registered storage and the operations a client may ask of it."""

    def __init__(self, storage: BaseStorage) -> None:
        self.storage = storage
        self.inline = isinstance(storage, InMemoryStorage)
        self._homes: dict[int, int] = {}  # trial id -> study id, for the trials handed out here
        self._lock = threading.Lock()
        s = storage
        self._ops: dict[str, Callable[..., Any]] = {
            "create_new_study": lambda directions, name: s.create_new_study(
                [StudyDirection(d) for d in directions], name
            ),
            "delete_study": s.delete_study,
            "set_study_user_attr": s.set_study_user_attr,
            "set_study_system_attr": s.set_study_system_attr,
            "compare_and_set_study_system_attr": s.compare_and_set_study_system_attr,
            "get_study_id_from_name": s.get_study_id_from_name,
            "get_study_name_from_id": s.get_study_name_from_id,
            "get_study_directions": lambda study_id: [int(d) for d in s.get_study_directions(study_id)],
            "get_study_user_attrs": s.get_study_user_attrs,
            "get_study_system_attrs": s.get_study_system_attrs,
            "get_all_studies": lambda: [CODEC.encode_study(study) for study in s.get_all_studies()],
            "get_param_distribution": self._get_param_distribution,
            "create_trial": self._create_trial,
            "create_trials": self._create_trials,
            "set_trial_params": lambda trial_id, params: s.set_trial_params(
                trial_id, CODEC.decode_params(params) or {}
            ),
            "set_state": lambda trial_id, state, values, params: s.set_trial_state_values(
                trial_id, TrialState(state), values, params=CODEC.decode_params(params)
            ),
            "end_and_start": self._end_and_start,
            "fail_stale_trial": lambda study_id, trial_id, retry: s.fail_stale_trial(
                study_id, trial_id, None if retry is None else CODEC.decode_trial(retry)
            ),
            "set_trial_intermediate_value": s.set_trial_intermediate_value,
            "set_trial_user_attr": s.set_trial_user_attr,
            "set_trial_system_attr": s.set_trial_system_attr,
            "get_trial_id_from_study_id_trial_number": s.get_trial_id_from_study_id_trial_number,
            "get_trial_number_from_id": s.get_trial_number_from_id,
            "get_trial": lambda trial_id: CODEC.encode_trial(s.get_trial(trial_id)),
            "read_trials": self._read_trials,
            "best_trial_id": self._best_trial_id,
            "claim": self._claim,
            "heartbeat": lambda: heartbeat_spec(s),
        }

    def call(self, request: bytes) -> bytes:
        """Answer one JSON request; every error becomes an error reply."""
        try:
            operation, args = loads(request)
            op = self._ops.get(operation)
            if op is None:
                raise StorageInternalError(f"Unknown DaskStorage operation {operation!r}: update albacore.")
            return dumps(["ok", op(*args)])
        except Exception as err:  # noqa: BLE001 - the client re-raises it as the same type
            return dumps(["error", encode_error(err)])

    def _home(self, study_id: int, trial: FrozenTrial) -> list[Any]:
        with self._lock:
            self._homes[trial._trial_id] = study_id
        return CODEC.encode_trial(trial)

    def _study_of(self, trial_id: int) -> int:
        study_id = self._homes.get(trial_id)
        if study_id is not None:
            return study_id
        number = self.storage.get_trial_number_from_id(trial_id)  # KeyError for an unknown trial
        for study in self.storage.get_all_studies():
            try:
                if self.storage.get_trial_id_from_study_id_trial_number(study._study_id, number) == trial_id:
                    return study._study_id
            except KeyError:
                continue
        raise StorageInternalError(f"Trial id {trial_id} belongs to no study.")

    def _get_param_distribution(self, study_id: int, name: str) -> str | None:
        dist = self.storage.get_param_distribution(study_id, name)
        return None if dist is None else CODEC.dist_json(dist)

    def _create_trial(self, study_id: int, template: list[Any] | None) -> list[Any]:
        trial_id = self.storage.create_new_trial(study_id, None if template is None else CODEC.decode_trial(template))
        return self._home(study_id, self.storage.get_trial(trial_id))

    def _create_trials(self, study_id: int, templates: list[list[Any]]) -> list[list[Any]]:
        trial_ids = self.storage._create_trials(study_id, [CODEC.decode_trial(t) for t in templates])
        return [self._home(study_id, self.storage.get_trial(trial_id)) for trial_id in trial_ids]

    def _end_and_start(
        self, trial_id: int, state: int, values: list[float] | None, params: dict[str, list[Any]] | None
    ) -> list[Any] | None:
        started = self.storage._end_trial_and_start_next(
            trial_id, TrialState(state), values, CODEC.decode_params(params)
        )
        if started is None:
            return None
        study_id = self._study_of(trial_id)
        return [study_id, self._home(study_id, self.storage.get_trial(started))]

    def _read_trials(self, study_id: int, after_number: int, trial_ids: list[int]) -> list[list[Any]]:
        trials = self.storage.get_all_trials(study_id, deepcopy=False)
        start = after_number + 1
        if start < len(trials) and trials[start].number != start:  # numbers are gap-free; be safe if not
            fresh = [t for t in trials if t.number > after_number]
        else:
            fresh = trials[start:]
        wanted = set(trial_ids)
        old = [t for t in trials[:start] if t._trial_id in wanted] if wanted else []
        return [CODEC.encode_trial(t) for t in (*old, *fresh)]

    def _best_trial_id(self, study_id: int) -> int | None:
        try:
            return self.storage.get_best_trial(study_id)._trial_id
        except ValueError:
            return None

    def _claim(self, study_id: int) -> list[Any] | None:
        trial_id = self.storage.claim_waiting_trial(study_id)
        return None if trial_id is None else self._home(study_id, self.storage.get_trial(trial_id))


def heartbeat_spec(storage: BaseStorage) -> list[Any] | None:
    """The heartbeat settings of ``storage`` in JSON: [interval, grace period, callback], or None when off.

    The callback is ``["retry", max_retry, inherit_intermediate_values]`` for RetryHeartbeatStaleTrialCallback,
    ``"other"`` for any other callable (which cannot travel as data) and None without one.
    """
    config = storage.get_heartbeat_config()
    if config is None:
        return None
    callback = config.stale_trial_callback
    spec: Any = None
    if isinstance(callback, RetryHeartbeatStaleTrialCallback):
        spec = ["retry", callback._max_retry, callback._inherit_intermediate_values]
    elif callback is not None:
        spec = "other"
    return [config.interval, config.grace_period, spec]


class StorageServer:
    """The storages registered on one scheduler, by name, and the channel beside Dask's comm that serves them."""

    def __init__(self) -> None:
        self.storages: dict[str, _Served] = {}
        self.channel: ChannelServer | None = None
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="albacore-dask-storage")

    def serve(self, name: str, request: bytes) -> bytes | concurrent.futures.Future[bytes]:
        """The reply to ``request`` for the storage ``name``: at once for an in-memory storage, else a future."""
        served = self.storages.get(name)
        if served is None:
            error = StudyNotFoundError(
                f"No DaskStorage named {name!r} is registered on this Dask scheduler (it was restarted, or the "
                "storage was made with register=False before any was registered): create it with register=True."
            )
            return dumps(["error", encode_error(error)])
        if served.inline:
            return served.call(request)
        try:
            return self._pool.submit(served.call, request)
        except RuntimeError:  # the pool was shut down: the scheduler is closing
            return dumps(["error", encode_error(StorageInternalError("The Dask scheduler is closing."))])

    async def handle(self, name: str, request: bytes) -> bytes:
        """The scheduler's ``albacore_storage`` handler."""
        reply = self.serve(name, request)
        if isinstance(reply, bytes):
            return reply
        return await asyncio.wrap_future(reply)

    def describe_channel(self) -> list[Any] | None:
        """The scheduler's ``albacore_storage_channel`` handler: ``ChannelServer.describe()``, or None."""
        return None if self.channel is None or self.channel.closed else self.channel.describe()

    def open_channel(self, scheduler: Any) -> None:
        """Open the channel beside ``scheduler``'s comm, when its transport allows one (see ``_channel``)."""
        import dask.config

        if not dask.config.get(CHANNEL_CONFIG, default=True):
            return
        from distributed.comm.addressing import parse_address, parse_host_port

        listeners = getattr(scheduler, "listeners", None) or []
        if not listeners:
            return
        scheme, location = parse_address(listeners[0].listen_address)
        if scheme not in ("tcp", "tls"):
            return
        ssl_context = None
        if scheme == "tls":
            ssl_context = scheduler.security.get_listen_args("scheduler").get("ssl_context")
            if ssl_context is None:
                return
        host = parse_host_port(location)[0]
        if host in ("0.0.0.0", "::", ""):  # the scheduler listens on every interface
            host = ""
        try:
            port = int(dask.config.get(CHANNEL_PORT_CONFIG, default=0))
            self.channel = ChannelServer(self.serve, host, port, ssl_context)
        except OSError as err:
            _logger.warning(f"DaskStorage serves through Dask's comm only: its channel could not listen ({err!r}).")

    def teardown(self) -> None:
        """Called by the scheduler as it closes: close the channel and the pool."""
        if self.channel is not None:
            self.channel.close()
        self._pool.shutdown(wait=False, cancel_futures=True)


def register(name: str, storage: str | BaseStorage | None, dask_scheduler: Any = None) -> list[Any] | None:
    """Serve ``storage`` on this scheduler under ``name`` (kept if the name is taken); return its heartbeat spec.

    Run on the scheduler by ``Client.run_on_scheduler``, which passes the scheduler as ``dask_scheduler``. The
    first registration on a scheduler also opens the channel (``_channel``) beside its comm.
    """
    server = dask_scheduler.extensions.get(EXTENSION)
    if server is None:
        server = StorageServer()
        server.open_channel(dask_scheduler)
        dask_scheduler.extensions[EXTENSION] = server
        dask_scheduler.handlers[HANDLER] = server.handle
        dask_scheduler.handlers[CHANNEL_HANDLER] = server.describe_channel
    served = server.storages.get(name)
    if served is None:
        served = server.storages[name] = _Served(get_storage(storage))
    return heartbeat_spec(served.storage)
