"""``albacore storage import``: copy the studies of an Optuna storage into an albacore storage."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from albacore.exceptions import InvalidArgumentError
from albacore.storages._base import BaseStorage
from albacore.storages._optuna._source import open_optuna_source
from albacore.storages._optuna._writer import StudyOutcome, write_study

__all__ = ["import_optuna_storage"]


def import_optuna_storage(
    from_url: str,
    to: str | BaseStorage,
    *,
    study_names: Sequence[str] | None = None,
    update: bool = False,
    naive_timezone: str = "auto",
    show_progress_bar: bool = False,
) -> list[StudyOutcome]:
    """Copy studies from an Optuna storage into an albacore storage, leaving the source untouched.

    Every study (or those named) is copied with its directions, attributes and every trial: numbers, states,
    values, parameters with their distributions, intermediate values, attributes, datetimes and heartbeats
    (kept by albacore as the trial system attribute ``heartbeat``). Running it again skips the studies it
    imported before; with ``update=True`` it brings them up to date instead (see ``_writer``). A study
    whose import was interrupted is completed by the next run.

    Args:
        from_url: The Optuna storage: a database URL, ``journal:///path`` (or a plain path) for a journal file,
            or ``redis://host:6379/0`` (``?prefix=NAME`` for a prefixed journal).
        to: The albacore storage (a URL or a storage object).
        study_names: Only these studies (default: all).
        update: Bring studies imported before up to date instead of skipping them.
        naive_timezone: Time zone of datetimes stored without one; see ``open_optuna_source``.
        show_progress_bar: Show a progress bar of trials on stderr.

    Returns:
        One outcome per study, in the source's order.

    Example:
        >>> import albacore, os, tempfile
        >>> from albacore.storages._optuna import import_optuna_storage
        >>> path = os.path.join(tempfile.mkdtemp(), "optuna.log")
        >>> with open(path, "w") as f:
        ...     _ = f.write('{"op_code": 0, "worker_id": "w", "study_name": "s", "directions": [1]}\\n')
        >>> [o.action for o in import_optuna_storage("journal://" + path, albacore.storages.InMemoryStorage())]
        ['imported']
    """
    from albacore.storages import get_storage

    with open_optuna_source(from_url, naive_timezone) as (source, shown):
        available = source.study_names()
        names = list(available) if study_names is None else list(study_names)
        missing = [n for n in names if n not in available]
        if missing:
            raise InvalidArgumentError(
                f"The Optuna storage {shown} has no studies named {missing}; it has {available}."
            )
        target = get_storage(to)
        total = sum(source.n_trials(n) for n in names)
        bar: Any = None
        tick: Callable[[], None] | None = None
        if show_progress_bar:
            from tqdm.auto import tqdm

            bar = tqdm(total=total, unit="trial", file=sys.stderr, desc="importing")

            def tick() -> None:
                bar.update(1)

        try:
            outcomes = []
            for name in names:
                if bar is not None:
                    bar.set_postfix_str(name)
                outcomes.append(
                    write_study(target, source.read_study(name), source=shown, update=update, on_trial=tick)
                )
            return outcomes
        finally:
            if bar is not None:
                bar.close()
