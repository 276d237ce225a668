"""The client's side of DaskStorage: the storage on the scheduler, called with JSON through the channel or Dask.

:class:`SchedulerBackend` has the methods that the watermark cache (``storages/_cached.py``) asks of the storage
it caches, so DaskStorage is that cache in front of this backend: finished trials are kept on the worker, a
refresh reads only the trials above the watermark and those last seen unfinished, and a worker's own running
trial is written through.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from albacore._study_records import FrozenStudy, StudyDirection
from albacore.distributions import BaseDistribution
from albacore.exceptions import StorageInternalError
from albacore.integration._dask._channel_client import channel_for
from albacore.integration._dask._codec import CODEC, decode_error, dumps, loads
from albacore.integration._dask._server import HANDLER
from albacore.storages._base import ParamWrites
from albacore.storages._callbacks import RetryHeartbeatStaleTrialCallback
from albacore.storages._heartbeat import HeartbeatConfig
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

__all__ = ["SchedulerBackend", "heartbeat_config"]


def heartbeat_config(spec: list[Any] | None) -> HeartbeatConfig | None:
    """The heartbeat settings that the scheduler described with ``_server.heartbeat_spec``."""
    if spec is None:
        return None
    interval, grace_period, callback_spec = spec
    callback = None
    if isinstance(callback_spec, list) and callback_spec[0] == "retry":
        callback = RetryHeartbeatStaleTrialCallback(callback_spec[1], callback_spec[2])
    elif callback_spec is not None:
        from albacore.logging import get_logger

        get_logger(__name__).warning(
            "The storage behind the Dask scheduler has a heartbeat_stale_trial_callback that cannot be sent as data; "
            "give the storage object to DaskStorage in the process that reaps stale trials to have it run there."
        )
    return HeartbeatConfig(interval, grace_period, callback)


class SchedulerBackend:
    """The storage registered on the Dask scheduler under ``name``, one JSON round trip per call.

    A round trip goes through the channel beside the scheduler's comm (``_channel_client``) when it can be
    reached, else through Dask's comm.
    """

    def __init__(self, name: str, client: Any, heartbeat: HeartbeatConfig | None, heartbeat_known: bool) -> None:
        self.name = name
        self._client = client
        self._heartbeat = heartbeat
        self._heartbeat_known = heartbeat_known

    def __getstate__(self) -> dict[str, Any]:
        # A client is a connection of this process: a copy (on a worker) finds its own.
        return {"name": self.name, "heartbeat": self._heartbeat, "known": self._heartbeat_known}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["name"], None, state["heartbeat"], state["known"])  # type: ignore[misc]

    @property
    def client(self) -> Any:
        """The Dask client that calls reach the scheduler through (the worker's own one inside a task)."""
        if self._client is None:
            from distributed import get_client

            self._client = get_client()
        return self._client

    def call(self, operation: str, *args: Any) -> Any:
        """Run ``operation`` on the scheduler's storage and return its JSON result, or raise its error.

        The call goes through the channel beside the scheduler's comm when this process can reach it, else
        through Dask's comm (``client.scheduler.albacore_storage``); the request and the reply are the same.
        """
        client = self.client
        request = dumps([operation, args])
        try:
            if client.scheduler is None:  # the client was closed, or lost its scheduler for good
                raise ConnectionError("the Dask client has no scheduler")
            channel = channel_for(client)
            reply = None if channel is None else channel.call(self.name, request)
            if reply is None:
                reply = client.sync(getattr(client.scheduler, HANDLER), name=self.name, request=request)
        except Exception as err:  # the server answers every storage error itself: this one is the transport
            raise StorageInternalError(
                f"The Dask scheduler holding storage {self.name!r} cannot be reached ({err!r}). A DaskStorage made "
                "with a storage URL keeps its finished trials in that database; one in memory ended with the scheduler."
            ) from err
        status, result = loads(reply)
        if status == "error":
            raise decode_error(result)
        return result

    def transport(self) -> str:
        """How this process reaches the scheduler's storage: ``"channel"``, ``"channel-tls"`` or ``"dask"``."""
        channel = channel_for(self.client)
        if channel is None:
            return "dask"
        return "channel-tls" if channel.tls else "channel"

    # --- studies -----------------------------------------------------------------------------------------

    def create_new_study(self, directions: Sequence[StudyDirection], study_name: str | None = None) -> int:
        return int(self.call("create_new_study", [int(d) for d in directions], study_name))

    def delete_study(self, study_id: int) -> None:
        self.call("delete_study", study_id)

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        self.call("set_study_user_attr", study_id, key, value)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        self.call("set_study_system_attr", study_id, key, value)

    def compare_and_set_study_system_attr(self, study_id: int, key: str, expected: Any, value: Any) -> bool:
        return bool(self.call("compare_and_set_study_system_attr", study_id, key, expected, value))

    def get_study_id_from_name(self, study_name: str) -> int:
        return int(self.call("get_study_id_from_name", study_name))

    def get_study_name_from_id(self, study_id: int) -> str:
        return str(self.call("get_study_name_from_id", study_id))

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        return [StudyDirection(d) for d in self.call("get_study_directions", study_id)]

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        return dict(self.call("get_study_user_attrs", study_id))

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        return dict(self.call("get_study_system_attrs", study_id))

    def get_all_studies(self) -> list[FrozenStudy]:
        return [CODEC.decode_study(s) for s in self.call("get_all_studies")]

    def get_param_distribution(self, study_id: int, param_name: str) -> BaseDistribution | None:
        found = self.call("get_param_distribution", study_id, param_name)
        return None if found is None else CODEC.distribution(found)

    # --- trials ------------------------------------------------------------------------------------------

    def _create_trial(self, study_id: int, template: FrozenTrial | None) -> FrozenTrial:
        return CODEC.decode_trial(
            self.call("create_trial", study_id, None if template is None else CODEC.encode_template(template))
        )

    def _create_trials_as_stored(self, study_id: int, templates: Sequence[FrozenTrial]) -> list[FrozenTrial]:
        if not templates:
            return []
        return [
            CODEC.decode_trial(t)
            for t in self.call("create_trials", study_id, [CODEC.encode_template(t) for t in templates])
        ]

    def set_trial_params(self, trial_id: int, params: ParamWrites) -> None:
        self.call("set_trial_params", trial_id, CODEC.encode_params(params))

    def _set_state(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None, params: ParamWrites | None, now: float
    ) -> bool:
        values = None if values is None else [float(v) for v in values]
        return bool(self.call("set_state", trial_id, int(state), values, CODEC.encode_params(params)))

    def _end_and_start(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None, params: ParamWrites | None, now: float
    ) -> tuple[int, FrozenTrial] | None:
        values = None if values is None else [float(v) for v in values]
        started = self.call("end_and_start", trial_id, int(state), values, CODEC.encode_params(params))
        return None if started is None else (started[0], CODEC.decode_trial(started[1]))

    def fail_stale_trial(self, study_id: int, trial_id: int, retry: FrozenTrial | None = None) -> int | None:
        result = self.call(
            "fail_stale_trial", study_id, trial_id, None if retry is None else CODEC.encode_template(retry)
        )
        return None if result is None else int(result)

    def set_trial_intermediate_value(self, trial_id: int, step: int, intermediate_value: float) -> None:
        self.call("set_trial_intermediate_value", trial_id, step, float(intermediate_value))

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        self.call("set_trial_user_attr", trial_id, key, value)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self.call("set_trial_system_attr", trial_id, key, value)

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        return int(self.call("get_trial_id_from_study_id_trial_number", study_id, trial_number))

    def get_trial_number_from_id(self, trial_id: int) -> int:
        return int(self.call("get_trial_number_from_id", trial_id))

    def get_trial(self, trial_id: int) -> FrozenTrial:
        return CODEC.decode_trial(self.call("get_trial", trial_id))

    def _read_trials(self, study_id: int, *, after_number: int, trial_ids: Sequence[int]) -> list[FrozenTrial]:
        return [CODEC.decode_trial(t) for t in self.call("read_trials", study_id, after_number, list(trial_ids))]

    def _best_trial_id(self, study_id: int, direction: StudyDirection) -> int | None:
        found = self.call("best_trial_id", study_id)
        return None if found is None else int(found)

    def _claim(self, study_id: int) -> FrozenTrial | None:
        found = self.call("claim", study_id)
        return None if found is None else CODEC.decode_trial(found)

    def get_heartbeat_config(self) -> HeartbeatConfig | None:
        if not self._heartbeat_known:
            self._heartbeat = heartbeat_config(self.call("heartbeat"))
            self._heartbeat_known = True
        return self._heartbeat

    def remove_session(self) -> None:
        """Nothing to release: the Dask client belongs to the caller."""

    def __repr__(self) -> str:
        return f"SchedulerBackend(name={self.name!r})"
