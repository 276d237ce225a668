"""The gRPC storage proxy's server: one storage, served to many :class:`GrpcStorageProxy` clients.

No generated code: every storage operation is one unary method of the service ``albacore.storage.v1.Storage``
whose request is a JSON array of its arguments and whose reply is a JSON value (``_codec``). A request that is
not such an array gets INVALID_ARGUMENT naming the method and what was wrong; an error the storage raises goes
back with a status code that fits it and its type's name in the trailing metadata ``albacore-error``, and the
client raises that same type.

A bare :class:`~albacore.storages.RDBStorage` is served through the watermark cache (``_cached``), as
``create_study`` would use it, so a client's refresh costs the proxy only the trials that changed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from albacore._optional import require
from albacore.exceptions import DuplicatedStudyError, InvalidArgumentError, UpdateFinishedTrialError
from albacore.logging import get_logger
from albacore.storages._base import BaseStorage, ParamWrites
from albacore.storages._callbacks import RetryHeartbeatStaleTrialCallback
from albacore.storages._grpc._codec import (
    ERROR_KEY,
    ERRORS,
    SERVICE,
    Codec,
    decode_directions,
    decode_state,
    dumps,
    loads,
)
from albacore.trial._state import TrialState

__all__ = ["ERROR_KEY", "SERVICE", "StorageService", "bind_server", "make_server", "run_grpc_proxy_server"]

_DEFAULT_THREADS = 16
_MAX_MESSAGE = -1  # no limit: a study of many trials is read in one reply

_logger = get_logger(__name__)


def _grpc() -> Any:
    return require("grpc", extra="grpc", feature="The gRPC storage proxy")


class _BadRequest(Exception):
    """A request the proxy cannot parse."""


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _optional(decode: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else decode(value)


def _list_of(decode: Callable[[Any], Any]) -> Callable[[Any], list[Any]]:
    def decode_list(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise TypeError(f"expected a list, got {value!r}")
        return [decode(v) for v in value]

    return decode_list


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _json(value: Any) -> Any:
    return value


class StorageService:
    """The operations of one storage: for each, how to decode its arguments and what to run."""

    def __init__(self, storage: BaseStorage) -> None:
        self.codec = Codec()
        self.serve(storage)

    def serve(self, storage: BaseStorage) -> None:
        """Serve ``storage`` from now on."""
        from albacore.storages._cached import wrap_rdb_storage

        self.storage = wrap_rdb_storage(storage)
        self._slots = _database_slots(storage)
        s, c = self.storage, self.codec
        params = _optional(c.decode_params)
        template = _optional(c.decode_trial)
        state = lambda value: decode_state(_int(value))  # noqa: E731
        values = _optional(_list_of(_float))
        directions = _list_of(lambda d: decode_directions([_int(d)])[0])
        self.methods: dict[str, tuple[tuple[Callable[[Any], Any], ...], Callable[..., Any]]] = {
            "create_new_study": ((directions, _optional(_str)), s.create_new_study),
            "delete_study": ((_int,), s.delete_study),
            "set_study_user_attr": ((_int, _str, _json), s.set_study_user_attr),
            "set_study_system_attr": ((_int, _str, _json), s.set_study_system_attr),
            "compare_and_set_study_system_attr": ((_int, _str, _json, _json), s.compare_and_set_study_system_attr),
            "get_study_id_from_name": ((_str,), s.get_study_id_from_name),
            "get_study_name_from_id": ((_int,), s.get_study_name_from_id),
            "get_study_directions": ((_int,), lambda i: [int(d) for d in s.get_study_directions(i)]),
            "get_study_user_attrs": ((_int,), s.get_study_user_attrs),
            "get_study_system_attrs": ((_int,), s.get_study_system_attrs),
            "get_all_studies": ((), lambda: [c.encode_study(study) for study in s.get_all_studies()]),
            "create_new_trial": ((_int, template), lambda i, t: self._trial(s.create_new_trial(i, t))),
            "create_trials": ((_int, _list_of(c.decode_trial)), s._create_trials),
            "set_trial_params": ((_int, c.decode_params), s.set_trial_params),
            "get_param_distribution": ((_int, _str), self.get_param_distribution),
            "get_trial_id_from_study_id_trial_number": ((_int, _int), s.get_trial_id_from_study_id_trial_number),
            "set_trial_state_values": ((_int, state, values, params), self.set_trial_state_values),
            "end_trial_and_start_next": ((_int, state, values, params), self.end_trial_and_start_next),
            "set_trial_intermediate_value": ((_int, _int, _float), s.set_trial_intermediate_value),
            "set_trial_user_attr": ((_int, _str, _json), s.set_trial_user_attr),
            "set_trial_system_attr": ((_int, _str, _json), s.set_trial_system_attr),
            "get_trial": ((_int,), lambda i: c.encode_trial(s.get_trial(i))),
            "trials_since": ((_int, _int, _list_of(_int)), self.trials_since),
            "claim_waiting_trial": ((_int,), lambda i: self._trial(s.claim_waiting_trial(i))),
            "fail_stale_trial": ((_int, _int, template), s.fail_stale_trial),
            "record_heartbeat": ((_int,), s.record_heartbeat),
            "get_stale_trial_ids": ((_int, _optional(_float)), s.get_stale_trial_ids),
            "get_heartbeat_config": ((), self.heartbeat_config),
        }

    def _trial(self, trial_id: int | None) -> list[Any] | None:
        return None if trial_id is None else self.codec.encode_trial(self.storage.get_trial(trial_id))

    def get_param_distribution(self, study_id: int, name: str) -> str | None:
        """The distribution the study recorded for ``name``, as JSON text."""
        dist = self.storage.get_param_distribution(study_id, name)
        return None if dist is None else self.codec.dist_json(dist)

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: list[float] | None, params: ParamWrites | None
    ) -> list[Any] | None:
        """Change a trial's state; reply with the trial as stored, or None when a claim lost."""
        done = self.storage.set_trial_state_values(trial_id, state, values, params=params)
        return self._trial(trial_id) if done else None

    def end_trial_and_start_next(
        self, trial_id: int, state: TrialState, values: list[float] | None, params: ParamWrites | None
    ) -> list[Any]:
        """End a trial and maybe start the next; reply with both as stored."""
        started = self.storage._end_trial_and_start_next(trial_id, state, values, params)
        return [self._trial(trial_id), self._trial(started)]

    def trials_since(self, study_id: int, watermark: int, numbers: list[int]) -> list[list[Any]]:
        """The study's trials numbered above ``watermark``, then those numbered ``numbers`` (unfinished when the
        client last saw them), as stored now."""
        trials = self.storage.get_all_trials(study_id, deepcopy=False)
        fresh = trials[max(watermark + 1, 0) :]
        again = [trials[n] for n in numbers if 0 <= n <= watermark and n < len(trials)]
        if any(t.number > watermark for t in again) or (fresh and fresh[0].number != max(watermark + 1, 0)):
            # Numbers are gap-free, so they are positions; a storage where they are not is read the long way.
            fresh = [t for t in trials if t.number > watermark]
            wanted = set(numbers)
            again = [t for t in trials if t.number in wanted and t.number <= watermark]
        encode = self.codec.encode_trial
        return [encode(t) for t in again] + [encode(t) for t in fresh]

    def heartbeat_config(self) -> list[Any] | None:
        """``[interval, grace period, retry]``, retry being ``[max_retry, inherit_intermediate_values]`` or None."""
        config = self.storage.get_heartbeat_config()
        if config is None:
            return None
        callback = config.stale_trial_callback
        retry = None
        if isinstance(callback, RetryHeartbeatStaleTrialCallback):
            retry = [callback._max_retry, callback._inherit_intermediate_values]
        return [config.interval, config.grace_period, retry]

    # --- one call ----------------------------------------------------------------------------------------

    def handle(self, method: str, payload: bytes, context: Any) -> bytes:
        """Run one request; on failure, abort ``context`` with a status and the error's type."""
        try:
            args = self._parse(method, payload)
        except _BadRequest as err:
            context.abort(_grpc().StatusCode.INVALID_ARGUMENT, str(err))
        run = self.methods[method][1]
        try:
            if self._slots is None:
                reply = run(*args)
            else:
                with self._slots:
                    reply = run(*args)
        except Exception as err:  # noqa: BLE001 - every storage error goes back to the client, typed
            _abort(context, err)
        return dumps(reply)

    def _parse(self, method: str, payload: bytes) -> list[Any]:
        decoders = self.methods[method][0]
        hint = "Use GrpcStorageProxy of the same albacore version as the proxy."
        try:
            args = loads(payload)
        except (ValueError, UnicodeDecodeError) as err:
            raise _BadRequest(
                f"albacore gRPC proxy: the request of {method} is not JSON ({err}); expected a JSON array of its "
                f"{len(decoders)} arguments. {hint}"
            ) from None
        if not isinstance(args, list) or len(args) != len(decoders):
            raise _BadRequest(
                f"albacore gRPC proxy: the request of {method} must be a JSON array of {len(decoders)} arguments, "
                f"got {_preview(args)}. {hint}"
            )
        try:
            return [decode(arg) for decode, arg in zip(decoders, args, strict=True)]
        except Exception as err:  # noqa: BLE001 - whatever went wrong, the request was malformed
            raise _BadRequest(
                f"albacore gRPC proxy: cannot parse the arguments of {method} ({_preview(args)}): {err}. {hint}"
            ) from None


def _database_slots(storage: BaseStorage) -> threading.BoundedSemaphore | None:
    """As many slots as the database pool of ``storage`` keeps connections (None: no pool to bound).

    The proxy runs up to as many calls at once as it has threads (16 by default). Without a bound its storage
    held a connection per call running at once: the fast path of RDBStorage keeps the connections it used
    (taken from the pool once, then kept apart), and SQLAlchemy's pool opens overflow connections beyond its size
    (5 kept, 10 more by default), so 8 workers made the proxy hold 15 connections and 24 workers 22. With the
    bound, calls beyond the pool's size wait in the proxy for a slot: at most ``pool_size`` connections for the
    fast path and ``pool_size`` in the pool (never an overflow), however many workers call. Give the storage
    ``engine_kwargs={"pool_size": N}`` for another number.
    """
    engine = getattr(storage, "engine", None)
    if engine is None:
        engine = getattr(getattr(storage, "backend", None), "engine", None)
    if engine is None:
        return None
    import sqlalchemy as sa

    pool = getattr(engine, "pool", None)
    if not isinstance(pool, sa.pool.QueuePool) or pool.size() <= 0:
        return None
    return threading.BoundedSemaphore(pool.size())


def _preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


_STATUS = (  # the first that the error is an instance of
    (UpdateFinishedTrialError, "FAILED_PRECONDITION"),
    (DuplicatedStudyError, "ALREADY_EXISTS"),
    (KeyError, "NOT_FOUND"),
    ((ValueError, TypeError), "INVALID_ARGUMENT"),
)


def _abort(context: Any, err: BaseException) -> None:
    """Send ``err`` back: a status that fits it, and the nearest type the client knows by name."""
    name = next((cls.__name__ for cls in type(err).__mro__ if ERRORS.get(cls.__name__) is cls), None)
    status = next((code for types, code in _STATUS if isinstance(err, types)), "INTERNAL")
    message = err.args[0] if len(err.args) == 1 and isinstance(err.args[0], str) else str(err)
    if name != type(err).__name__:
        message = f"{type(err).__name__}: {message}"
    context.set_trailing_metadata(((ERROR_KEY, name or "StorageInternalError"),))
    context.abort(getattr(_grpc().StatusCode, status), message)


def make_server(storage: BaseStorage, host: str, port: int, thread_pool: ThreadPoolExecutor | None = None) -> Any:
    """Return a ``grpc.Server`` serving ``storage`` on ``host:port``; call ``.start()`` to begin serving.

    Args:
        storage: The storage to serve.
        host: The address to listen on (``localhost`` serves this machine only).
        port: The port to listen on.
        thread_pool: The threads that run requests; by default 16. Calls to a database storage run at most as
            many at once as its connection pool keeps connections (``pool_size``, 5 by default).

    Raises:
        MissingDependencyError: grpcio is not installed (``pip install 'albacore[grpc]'``).
        InvalidArgumentError: The address cannot be listened on.
    """
    return bind_server(storage, host, port, thread_pool)[0]


def bind_server(
    storage: BaseStorage, host: str, port: int, thread_pool: ThreadPoolExecutor | None = None
) -> tuple[Any, int, StorageService]:
    """``make_server``, the port it listens on (the one the system chose for port 0) and its service."""
    grpc = _grpc()
    service = StorageService(storage)
    config = service.storage.get_heartbeat_config()
    callback = None if config is None else config.stale_trial_callback
    if callback is not None and not isinstance(callback, RetryHeartbeatStaleTrialCallback):
        _logger.warning(
            "The storage's heartbeat_stale_trial_callback runs only where the storage is used directly: workers "
            "through the gRPC proxy fail stale trials without it (RetryHeartbeatStaleTrialCallback is passed on)."
        )

    def handler(method: str) -> Any:
        return grpc.unary_unary_rpc_method_handler(lambda payload, context: service.handle(method, payload, context))

    generic = grpc.method_handlers_generic_handler(SERVICE, {name: handler(name) for name in service.methods})
    server = grpc.server(
        thread_pool or ThreadPoolExecutor(max_workers=_DEFAULT_THREADS, thread_name_prefix="albacore-grpc"),
        handlers=[generic],
        options=[("grpc.max_receive_message_length", _MAX_MESSAGE), ("grpc.max_send_message_length", _MAX_MESSAGE)],
    )
    address = f"{host}:{port}"
    cause: BaseException | None = None
    try:
        bound = server.add_insecure_port(address)
    except RuntimeError as err:
        bound, cause = 0, err
    if not bound:
        raise InvalidArgumentError(
            f"The gRPC storage proxy cannot listen on {address}: the port is taken or the host is not an address of "
            "this machine. Pick another port, or stop the process that holds it."
        ) from cause
    return server, bound, service


def run_grpc_proxy_server(
    storage: BaseStorage, *, host: str = "localhost", port: int = 13000, thread_pool: ThreadPoolExecutor | None = None
) -> None:
    """Serve ``storage`` to :class:`~albacore.storages.GrpcStorageProxy` clients until interrupted (Ctrl-C).

    Many worker processes then share one storage (and one database connection pool) through this process. It
    listens on this machine only unless ``host`` says otherwise; the proxy has no authentication, so expose it
    only on a network you trust.

    Args:
        storage: The storage to serve, for example ``albacore.storages.get_storage("postgresql://...")``.
        host: The address to listen on.
        port: The port to listen on.
        thread_pool: The threads that run requests; by default 16. Calls to a database storage run at most as
            many at once as its connection pool keeps connections (``pool_size``, 5 by default).

    Example:
        Serve a SQLite study to the workers of this machine::

            from albacore.storages import get_storage, run_grpc_proxy_server

            run_grpc_proxy_server(get_storage("sqlite:///study.db"), port=13000)
    """
    server = make_server(storage, host, port, thread_pool)
    server.start()
    _logger.info(f"gRPC storage proxy serving {storage!r} on {host}:{port}.")
    try:
        server.wait_for_termination()
    finally:
        server.stop(5).wait()
