"""RetryHeartbeatStaleTrialCallback: re-enqueue trials failed for a stale heartbeat, with their parameters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from albacore._deprecation import warn_deprecated
from albacore.exceptions import InvalidArgumentError
from albacore.trial._frozen import FrozenTrial, create_trial
from albacore.trial._state import TrialState
from albacore.trial._trial import FIXED_PARAMS_KEY

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["RetryFailedTrialCallback", "RetryHeartbeatStaleTrialCallback"]

_FAILED_TRIAL_KEY = "failed_trial"
_RETRY_HISTORY_KEY = "retry_history"


class RetryHeartbeatStaleTrialCallback:
    """Give a storage's ``heartbeat_stale_trial_callback`` to re-run stale trials with the same parameters.

    The retry is a WAITING trial with the stale trial's parameters, distributions and user attributes; the next
    ``ask`` of any worker runs it. When a storage fails a stale trial, it adds the retry in the same atomic write,
    so a worker killed in between cannot leave a failed trial that is never retried.

    Args:
        max_retry: How many times one original trial may be retried; None for no limit.
        inherit_intermediate_values: Copy the failed trial's reported values into the retry.

    Example:
        >>> import albacore
        >>> from albacore.storages import InMemoryStorage, RetryHeartbeatStaleTrialCallback
        >>> storage = InMemoryStorage(
        ...     heartbeat_interval=60, heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=2)
        ... )
    """

    def __init__(self, max_retry: int | None = None, inherit_intermediate_values: bool = False) -> None:
        if max_retry is not None and (isinstance(max_retry, bool) or max_retry < 0):
            raise InvalidArgumentError(f"`max_retry` must be a non-negative integer or None, got {max_retry!r}.")
        self._max_retry = max_retry
        self._inherit_intermediate_values = inherit_intermediate_values

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        retry = self.retry_of(trial)
        if retry is not None:
            study.add_trial(retry)

    def retry_of(self, trial: FrozenTrial) -> FrozenTrial | None:
        """The WAITING trial that retries ``trial`` with its parameters, or None once ``max_retry`` is used up.

        Reapers add it in the same atomic write that fails ``trial`` (``BaseStorage.fail_stale_trial``), so a
        reaper killed in between cannot leave a failed trial without its retry.
        """
        history = [*self.retry_history(trial), trial.number]
        if self._max_retry is not None and len(history) > self._max_retry:
            return None
        original = self.retried_trial_number(trial)
        system_attrs = {
            _FAILED_TRIAL_KEY: trial.number if original is None else original,
            _RETRY_HISTORY_KEY: history,
            FIXED_PARAMS_KEY: dict(trial.params),
        }
        return create_trial(
            state=TrialState.WAITING,
            params=trial.params,
            distributions=trial.distributions,
            user_attrs=trial.user_attrs,
            system_attrs=system_attrs,
            intermediate_values=trial.intermediate_values if self._inherit_intermediate_values else None,
        )

    @staticmethod
    def retried_trial_number(trial: FrozenTrial) -> int | None:
        """The number of the original trial this one retries, or None if it is not a retry."""
        number = trial.system_attrs.get(_FAILED_TRIAL_KEY)
        return None if number is None else int(number)

    @staticmethod
    def retry_history(trial: FrozenTrial) -> list[int]:
        """Numbers of the earlier attempts of this trial, oldest first (empty if it is not a retry)."""
        return [int(n) for n in trial.system_attrs.get(_RETRY_HISTORY_KEY, [])]


class RetryFailedTrialCallback(RetryHeartbeatStaleTrialCallback):
    """Deprecated name of :class:`RetryHeartbeatStaleTrialCallback` (renamed in Optuna 4.9; goes away in 6.0)."""

    def __init__(self, max_retry: int | None = None, inherit_intermediate_values: bool = False) -> None:
        warn_deprecated(
            "albacore.storages.RetryFailedTrialCallback",
            since="4.9.0",
            removed_in="6.0.0",
            instead="albacore.storages.RetryHeartbeatStaleTrialCallback",
        )
        super().__init__(max_retry, inherit_intermediate_values)
