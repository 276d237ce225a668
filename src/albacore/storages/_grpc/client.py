"""GrpcStorageProxy: a storage that sends every operation to a gRPC storage proxy (``server``).

What it keeps, so that a worker costs the proxy little:

- **Finished trials** never change: once read, they are served from memory, with a watermark per study
  (``_watermark``), so ``get_all_trials`` asks the proxy only for the trials numbered above it and the ones last
  seen unfinished: one round trip, whatever the size of the study.
- **Trials this client runs** (created or claimed here): the proxy replies with the trial as stored, and this
  client's own writes to it are applied to the local copy as well (write-through), so a trial needs no read
  while it runs. Another client's writes to it are seen at the next refresh; a stale trial failed by another
  worker makes this client's next write raise UpdateFinishedTrialError.
- **What never changes**: a study's name and directions, the distribution a study recorded for a parameter name,
  the proxy's heartbeat settings.

Across a restart of the proxy: calls that may safely be sent twice (reads, attribute and parameter writes,
heartbeats) wait for the proxy to come back, up to ``RECONNECT_SECONDS``, and are sent again. Calls that create
or claim something are sent once: they wait for the proxy if it is down, but a call cut off after it was sent
raises StorageInternalError rather than risk a duplicate trial; ending a trial is checked against the stored
trial instead. A trial created by a call cut off that way stays RUNNING until heartbeats mark it FAIL.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Container, Sequence
from typing import Any, ClassVar

from albacore._optional import require
from albacore._study_records import FrozenStudy, StudyDirection
from albacore.distributions import BaseDistribution
from albacore.exceptions import StorageInternalError, UpdateFinishedTrialError
from albacore.logging import get_logger
from albacore.storages._base import BaseStorage, ParamWrites
from albacore.storages._callbacks import RetryHeartbeatStaleTrialCallback
from albacore.storages._grpc._codec import ERROR_KEY, ERRORS, SERVICE, Codec, decode_directions, dumps, json_attr, loads
from albacore.storages._heartbeat import HeartbeatConfig
from albacore.storages._watermark import CachedTrials, StudyCache
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

__all__ = ["RECONNECT_SECONDS", "GrpcStorageProxy"]

RECONNECT_SECONDS = 120.0
"""How long a call waits for an unreachable proxy (restarting, say) before it raises StorageInternalError."""

_logger = get_logger(__name__)
_UNKNOWN = object()


def _grpc() -> Any:
    return require("grpc", extra="grpc", feature="GrpcStorageProxy")


class GrpcStorageProxy(CachedTrials, BaseStorage):
    """A storage served by :func:`~albacore.storages.run_grpc_proxy_server` in another process or machine.

    Many workers then share one storage through one proxy, which holds the only database connections. See the
    module docstring for what the client caches and how it rides out a restart of the proxy.

    Args:
        host: The host of the proxy.
        port: The port of the proxy.

    Example:
        In each worker, with a proxy running on this machine::

            import albacore
            from albacore.storages import GrpcStorageProxy

            storage = GrpcStorageProxy(host="localhost", port=13000)
            study = albacore.load_study(study_name="shared", storage=storage)
            study.optimize(objective, n_trials=100)
    """

    def __init__(self, *, host: str = "localhost", port: int = 13000) -> None:
        self._host = host
        self._port = port
        self._setup()

    def _setup(self) -> None:
        self._pid = os.getpid()
        self._channel = _Channels.open(self._host, self._port)
        self._closed = False
        self._stubs: dict[str, Any] = {}
        self._reached = False  # once the proxy answered, an unreachable proxy is waited for (a restart)
        self._codec = Codec()
        self._init_trials_cache()
        self._directions: dict[int, list[StudyDirection]] = {}
        self._names: dict[int, str] = {}
        self._dists: dict[tuple[int, str], BaseDistribution] = {}
        self._heartbeat: Any = _UNKNOWN

    def __getstate__(self) -> dict[str, Any]:
        return {"host": self._host, "port": self._port}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._host, self._port = state["host"], state["port"]
        self._setup()

    def __repr__(self) -> str:
        return f"GrpcStorageProxy(host={self._host!r}, port={self._port})"

    def wait_server_ready(self, timeout: float | None = None) -> None:
        """Block until the proxy accepts connections.

        Args:
            timeout: Seconds to wait at most; None waits as long as it takes.

        Raises:
            ConnectionError: The proxy did not answer within ``timeout``.
        """
        grpc = _grpc()
        try:
            # A call that waits for the connection (grpc's channel_ready_future polls from a thread of its own,
            # which fails if the channel is closed meanwhile).
            self._stub("get_heartbeat_config")(dumps([]), wait_for_ready=True, timeout=timeout)
        except grpc.RpcError as err:
            if err.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
                raise self._error("get_heartbeat_config", err) from None
            raise ConnectionError(
                f"No gRPC storage proxy answered at {self._host}:{self._port} within {timeout} s. Start one with "
                "albacore.storages.run_grpc_proxy_server(storage, port=...), or check the host and port."
            ) from None
        self._reached = True

    def close(self) -> None:
        """Release the connection to the proxy; the storage must not be used afterwards."""
        if not self._closed:
            self._closed = True
            _Channels.release(self._channel)

    def remove_session(self) -> None:
        """Nothing to release between calls: the proxy holds the database connections."""

    # --- calls -------------------------------------------------------------------------------------------

    def _call(self, method: str, *args: Any, resend: bool = True) -> Any:
        """Run ``method`` on the proxy; ``resend`` says whether it may safely be sent again after a cut-off."""
        grpc = _grpc()
        if os.getpid() != self._pid:  # a forked child: channels do not survive a fork
            self._setup()
        if self._closed:
            raise StorageInternalError(f"{self!r} was closed; make a new one to reach the proxy again.")
        payload = dumps(args)
        stub = self._stub(method)
        give_up = time.monotonic() + RECONNECT_SECONDS
        while True:
            reached = self._reached
            try:
                reply = stub(payload, wait_for_ready=reached, timeout=RECONNECT_SECONDS if reached else None)
            except grpc.RpcError as err:
                code = err.code()
                if code == grpc.StatusCode.UNAVAILABLE and not reached:
                    raise StorageInternalError(
                        f"No gRPC storage proxy answers at {self._host}:{self._port} ({err.details()}). Start one with "
                        "albacore.storages.run_grpc_proxy_server(storage, port=...), check the host and port, or "
                        "call wait_server_ready() first."
                    ) from None
                # CANCELLED: the proxy stopped while serving the call (this client cancels none).
                if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED, grpc.StatusCode.DEADLINE_EXCEEDED):
                    if resend and time.monotonic() < give_up:
                        _logger.warning(f"The gRPC storage proxy went away during {method}; sending it again.")
                        continue
                    raise _CutOff(method, self._host, self._port, code.name, err.details()) from None
                raise self._error(method, err) from None
            self._reached = True
            return loads(reply)

    def _stub(self, method: str) -> Any:
        stub = self._stubs.get(method)
        if stub is None:
            stub = self._stubs[method] = self._channel.unary_unary(f"/{SERVICE}/{method}")
        return stub

    def _error(self, method: str, err: Any) -> Exception:
        name = dict(err.trailing_metadata() or ()).get(ERROR_KEY)
        cls = ERRORS.get(name or "")
        details = err.details() or ""
        if cls is not None:
            return cls(details)
        return StorageInternalError(
            f"The gRPC storage proxy at {self._host}:{self._port} refused {method}: {err.code().name}: {details}"
        )

    def _decode(self, data: Any) -> FrozenTrial:
        return self._codec.decode_trial(data)

    # --- studies -----------------------------------------------------------------------------------------

    def create_new_study(self, directions: Sequence[StudyDirection], study_name: str | None = None) -> int:
        study_id: int = self._call("create_new_study", [int(d) for d in directions], study_name, resend=False)
        return study_id

    def delete_study(self, study_id: int) -> None:
        self._call("delete_study", study_id, resend=False)
        self._forget_study(study_id)
        with self._lock:
            self._directions.pop(study_id, None)
            self._names.pop(study_id, None)
            for key in [k for k in self._dists if k[0] == study_id]:
                del self._dists[key]

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        self._call("set_study_user_attr", study_id, key, json_attr(key, value))

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        self._call("set_study_system_attr", study_id, key, json_attr(key, value))

    def compare_and_set_study_system_attr(self, study_id: int, key: str, expected: Any, value: Any) -> bool:
        # Not sent twice: a resent call that had applied would answer False.
        args = (study_id, key, json_attr(key, expected), json_attr(key, value))
        return bool(self._call("compare_and_set_study_system_attr", *args, resend=False))

    def get_study_id_from_name(self, study_name: str) -> int:
        study_id: int = self._call("get_study_id_from_name", study_name)
        return study_id

    def get_study_name_from_id(self, study_id: int) -> str:
        name = self._names.get(study_id)
        if name is None:
            name = self._names[study_id] = self._call("get_study_name_from_id", study_id)
        return name

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        directions = self._directions.get(study_id)
        if directions is None:
            directions = decode_directions(self._call("get_study_directions", study_id))
            self._directions[study_id] = directions
        return list(directions)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        attrs: dict[str, Any] = self._call("get_study_user_attrs", study_id)
        return attrs

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        attrs: dict[str, Any] = self._call("get_study_system_attrs", study_id)
        return attrs

    def get_all_studies(self) -> list[FrozenStudy]:
        return [self._codec.decode_study(s) for s in self._call("get_all_studies")]

    def get_param_distribution(self, study_id: int, param_name: str) -> BaseDistribution | None:
        key = (study_id, param_name)
        dist = self._dists.get(key)
        if dist is None:
            text = self._call("get_param_distribution", study_id, param_name)
            if text is None:
                return None
            dist = self._dists[key] = self._codec.distribution(text)
        return dist

    # --- writing trials ----------------------------------------------------------------------------------

    def _kept(self, study_id: int | None, data: Any) -> int | None:
        """Keep a trial the proxy replied with (one this client runs, or a finished one); return its id."""
        if data is None:
            return None
        trial = self._decode(data)
        if study_id is None:
            study_id = self._homes.get(trial._trial_id)
        if study_id is not None and trial.state != TrialState.WAITING:
            self._keep(study_id, trial)
        return trial._trial_id

    def _write(self, method: str, trial_id: int, *args: Any) -> None:
        """A write to a running trial; forget the local copy if another client finished it."""
        try:
            self._call(method, trial_id, *args)
        except UpdateFinishedTrialError:
            self._forget_if_unfinished(trial_id)
            raise

    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        template = None if template_trial is None else self._codec.encode_template(template_trial)
        data = self._call("create_new_trial", study_id, template, resend=False)
        trial_id = self._kept(study_id, data)
        assert trial_id is not None
        return trial_id

    def _create_trials(self, study_id: int, templates: Sequence[FrozenTrial]) -> list[int]:
        if not templates:
            return []
        encoded = [self._codec.encode_template(t) for t in templates]
        trial_ids: list[int] = self._call("create_trials", study_id, encoded, resend=False)
        return trial_ids

    def set_trial_params(self, trial_id: int, params: ParamWrites) -> None:
        self._write("set_trial_params", trial_id, self._codec.encode_params(params))
        self._write_through(trial_id, params=params)

    def set_trial_state_values(
        self,
        trial_id: int,
        state: TrialState,
        values: Sequence[float] | None = None,
        *,
        params: ParamWrites | None = None,
    ) -> bool:
        args = (int(state), None if values is None else [float(v) for v in values], self._codec.encode_params(params))
        try:
            data = self._call("set_trial_state_values", trial_id, *args, resend=False)
        except UpdateFinishedTrialError:
            self._forget_if_unfinished(trial_id)
            raise
        except _CutOff:
            if not state.is_finished():
                raise
            data = self._check_ended(trial_id, state, args)
        if data is None:
            return False
        self._kept(None, data)
        return True

    def _check_ended(self, trial_id: int, state: TrialState, args: tuple[Any, ...]) -> Any:
        """After a cut-off end of a trial: the stored trial if the end was written, else the end sent again."""
        stored = self._call("get_trial", trial_id)
        if stored[2] == int(state) and stored[3] == args[1]:
            return stored
        return self._call("set_trial_state_values", trial_id, *args, resend=False)

    def _end_trial_and_start_next(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None, params: ParamWrites | None
    ) -> int | None:
        args = (int(state), None if values is None else [float(v) for v in values], self._codec.encode_params(params))
        try:
            ended, started = self._call("end_trial_and_start_next", trial_id, *args, resend=False)
        except UpdateFinishedTrialError:
            self._forget_if_unfinished(trial_id)
            raise
        except _CutOff:
            # Whether a next trial was started is unknown: it is not asked for again (heartbeats reap one).
            self._kept(None, self._check_ended(trial_id, state, args))
            return None
        study_id = self._homes.get(trial_id)
        self._kept(None, ended)
        if started is None:
            return None
        if study_id is None:
            study_id = self._study_of(trial_id)
        return self._kept(study_id, started)

    def _study_of(self, trial_id: int) -> int:
        """The study of a trial this client did not create (a rare path: a trial handed over by another)."""
        for study_id, cache in list(self._studies.items()):
            if any(t is not None and t._trial_id == trial_id for t in cache.by_number):
                return study_id
        number = self.get_trial_number_from_id(trial_id)
        for study in self.get_all_studies():
            try:
                if self.get_trial_id_from_study_id_trial_number(study._study_id, number) == trial_id:
                    return study._study_id
            except KeyError:
                continue
        raise KeyError(f"No study holds trial id {trial_id}.")

    def fail_stale_trial(self, study_id: int, trial_id: int, retry: FrozenTrial | None = None) -> int | None:
        template = None if retry is None else self._codec.encode_template(retry)
        try:
            retry_id: int | None = self._call("fail_stale_trial", study_id, trial_id, template, resend=False)
            return retry_id
        finally:
            self._forget_if_unfinished(trial_id)

    def set_trial_intermediate_value(self, trial_id: int, step: int, intermediate_value: float) -> None:
        self._write("set_trial_intermediate_value", trial_id, step, float(intermediate_value))
        trial = self._trials.get(trial_id)
        if trial is not None:
            self._write_through(trial_id, intermediate_values={**trial.intermediate_values, step: intermediate_value})

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        value = json_attr(key, value)
        self._write("set_trial_user_attr", trial_id, key, value)
        trial = self._trials.get(trial_id)
        if trial is not None:
            self._write_through(trial_id, user_attrs={**trial.user_attrs, key: value})

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        value = json_attr(key, value)
        self._write("set_trial_system_attr", trial_id, key, value)
        trial = self._trials.get(trial_id)
        if trial is not None:
            self._write_through(trial_id, system_attrs={**trial.system_attrs, key: value})

    def claim_waiting_trial(self, study_id: int) -> int | None:
        return self._kept(study_id, self._call("claim_waiting_trial", study_id, resend=False))

    # --- reading trials ----------------------------------------------------------------------------------

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        cached = self._cached_trial_id(study_id, trial_number)
        if cached is not None:
            return cached
        trial_id: int = self._call("get_trial_id_from_study_id_trial_number", study_id, trial_number)
        return trial_id

    def get_trial_number_from_id(self, trial_id: int) -> int:
        trial = self._trials.get(trial_id)
        return trial.number if trial is not None else self.get_trial(trial_id).number

    def get_trial(self, trial_id: int) -> FrozenTrial:
        trial = self._trials.get(trial_id)
        if trial is not None:
            return trial
        trial = self._decode(self._call("get_trial", trial_id))
        if trial.state.is_finished():
            with self._lock:
                self._trials[trial_id] = trial
        return trial

    def _refresh(self, study_id: int) -> StudyCache:
        """Read what changed since the last refresh; return the study's (now current) cache."""
        cache = self._study_cache(study_id)
        with self._lock:
            watermark, numbers = cache.watermark, sorted(cache.unfinished.values())
        # Read without the lock: threads of this client refresh at once, and merging keeps the newest.
        fresh = [self._decode(t) for t in self._call("trials_since", study_id, watermark, numbers)]
        self._merge(study_id, cache, fresh)
        return cache

    def get_all_trials(
        self, study_id: int, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        return self._select(self._refresh(study_id), deepcopy, states)

    # --- heartbeats --------------------------------------------------------------------------------------

    def get_heartbeat_config(self) -> HeartbeatConfig | None:
        if self._heartbeat is _UNKNOWN:
            data = self._call("get_heartbeat_config")
            config = None
            if data is not None:
                interval, grace_period, retry = data
                callback = None if retry is None else RetryHeartbeatStaleTrialCallback(*retry)
                config = HeartbeatConfig(interval, grace_period, callback)
            self._heartbeat = config
        result: HeartbeatConfig | None = self._heartbeat
        return result

    def record_heartbeat(self, trial_id: int) -> None:
        self._write("record_heartbeat", trial_id)

    def get_stale_trial_ids(self, study_id: int, grace_period: float | None = None) -> list[int]:
        stale: list[int] = self._call("get_stale_trial_ids", study_id, grace_period)
        return stale


class _Channels:
    """One channel per proxy address in a process, shared by its clients (one connection, and closing a channel
    takes grpc a fifth of a second, so the last client to let go closes it in the background)."""

    _lock = threading.Lock()
    _open: ClassVar[dict[tuple[str, int, int], list[Any]]] = {}  # (host, port, pid) -> [channel, number of clients]

    @classmethod
    def open(cls, host: str, port: int) -> Any:
        key = (host, port, os.getpid())
        with cls._lock:
            entry = cls._open.get(key)
            if entry is None:
                channel = _grpc().insecure_channel(
                    f"{host}:{port}",
                    options=[("grpc.max_receive_message_length", -1), ("grpc.max_send_message_length", -1)],
                )
                entry = cls._open[key] = [channel, 0]
            entry[1] += 1
            return entry[0]

    @classmethod
    def release(cls, channel: Any) -> None:
        with cls._lock:
            for key, entry in list(cls._open.items()):
                if entry[0] is channel:
                    entry[1] -= 1
                    if entry[1] == 0:
                        del cls._open[key]
                        threading.Thread(target=channel.close, name="albacore-grpc-close", daemon=True).start()
                    return


class _CutOff(StorageInternalError):
    """A call that is not sent twice lost its connection after it was sent: whether it was applied is unknown."""

    def __init__(self, method: str, host: str, port: int, code: str, details: str) -> None:
        super().__init__(
            f"The gRPC storage proxy at {host}:{port} went away during {method} ({code}: {details}); whether it was "
            "applied is unknown, and it is not sent again so that nothing is written twice. Check the proxy and run "
            "again (with heartbeats on, a trial left RUNNING by this is marked FAIL)."
        )
