"""What the experiment-tracking callbacks (MLflow, Weights & Biases) share: naming the objective values."""

from __future__ import annotations

from collections.abc import Sequence

from albacore.exceptions import InvalidArgumentError

__all__ = ["ProcessLocalState", "check_metric_name", "metric_names"]


class ProcessLocalState:
    """Pickles a callback without its locks and caches (named in ``_PROCESS_LOCAL``), which ``_init_state``
    builds anew: a worker process (``optimize(n_processes=...)``) gets the configuration and resolves the rest
    itself."""

    _PROCESS_LOCAL: tuple[str, ...] = ()

    def _init_state(self) -> None:
        raise NotImplementedError

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        for key in self._PROCESS_LOCAL:
            del state[key]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._init_state()


def check_metric_name(metric_name: object, owner: str) -> None:
    """Refuse a ``metric_name`` that is neither a string nor a sequence of strings."""
    if isinstance(metric_name, str):
        return
    if isinstance(metric_name, Sequence) and all(isinstance(name, str) for name in metric_name):
        return
    raise InvalidArgumentError(
        f"`metric_name` of {owner} must be a string or a sequence of strings, got {metric_name!r}."
    )


def metric_names(metric_name: str | Sequence[str], n_values: int, owner: str) -> list[str]:
    """One name per objective value: a single name is numbered when there are several values.

    Example:
        >>> metric_names("loss", 2, "MLflowCallback"), metric_names(["a", "b"], 2, "MLflowCallback")
        (['loss_0', 'loss_1'], ['a', 'b'])
    """
    if isinstance(metric_name, str):
        return [f"{metric_name}_{i}" for i in range(n_values)] if n_values > 1 else [metric_name]
    names = list(metric_name)
    if len(names) != n_values:
        raise InvalidArgumentError(
            f"{owner} has {len(names)} metric names ({names}) for an objective that returned {n_values} values; "
            "give one name per objective, or a single name to have them numbered."
        )
    return names
