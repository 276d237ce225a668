"""Module-level study functions: create, load, delete, copy and list studies in a storage."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Literal

from albacore._pareto import best_of
from albacore._study_records import StudyDirection, StudySummary
from albacore.exceptions import DuplicatedStudyError, InvalidArgumentError
from albacore.logging import get_logger
from albacore.pruners._base import BasePruner
from albacore.samplers._base import BaseSampler
from albacore.storages._base import BaseStorage
from albacore.study._study import Study
from albacore.trial._state import TrialState

__all__ = [
    "copy_study",
    "create_study",
    "delete_study",
    "get_all_study_names",
    "get_all_study_summaries",
    "load_study",
]

_logger = get_logger(__name__)

STORAGE_ENV = "ALBACORE_STORAGE"
"""Environment variable naming the storage ``create_study`` and ``load_study`` use when given no ``storage``."""


def _storage_or_env(storage: str | BaseStorage | None) -> str | BaseStorage | None:
    """``storage`` as given, else the URL in ``ALBACORE_STORAGE`` (an empty variable counts as unset)."""
    if storage is not None:
        return storage
    return os.environ.get(STORAGE_ENV) or None


DirectionLike = Literal["minimize", "maximize"] | StudyDirection


def _to_direction(direction: DirectionLike) -> StudyDirection:
    if isinstance(direction, StudyDirection) and direction != StudyDirection.NOT_SET:
        return direction
    if isinstance(direction, str) and direction.lower() in ("minimize", "maximize"):
        return StudyDirection.MINIMIZE if direction.lower() == "minimize" else StudyDirection.MAXIMIZE
    raise InvalidArgumentError(f"A direction must be 'minimize' or 'maximize', got {direction!r}.")


def _where(store: BaseStorage) -> str:
    """Which kind of storage holds a new study, worded as Optuna's log line words it (scripts grep for it)."""
    from albacore.storages import InMemoryStorage, JournalStorage

    if isinstance(store, InMemoryStorage):
        return " in memory"
    if isinstance(store, JournalStorage):
        return " in Journal"
    # Database storages are looked for only once their modules are loaded, sparing others the SQLAlchemy import.
    rdb = sys.modules.get("albacore.storages.rdb._storage")
    cached = sys.modules.get("albacore.storages._cached")
    if (rdb is not None and isinstance(store, rdb.RDBStorage)) or (
        cached is not None and isinstance(store, cached._CachedStorage)
    ):
        return " in RDB"
    return ""


def create_study(
    *,
    storage: str | BaseStorage | None = None,
    sampler: BaseSampler | None = None,
    pruner: BasePruner | None = None,
    study_name: str | None = None,
    direction: DirectionLike | None = None,
    load_if_exists: bool = False,
    directions: Sequence[DirectionLike] | None = None,
) -> Study:
    """Create a study (or continue an existing one with ``load_if_exists=True``).

    Args:
        storage: A URL such as ``"sqlite:///study.db"``, or a storage object. When None, the URL in the
            ``ALBACORE_STORAGE`` environment variable if it is set, else memory.
        sampler: How parameters are chosen; the default picks a strong sampler for the study.
        pruner: How running trials are stopped early; MedianPruner by default.
        study_name: A name to find the study again; a unique one is made up when None.
        direction: "minimize" (default) or "maximize", for one objective.
        load_if_exists: Continue the study of that name when it exists instead of raising.
        directions: One direction per objective, for several objectives.

    Raises:
        DuplicatedStudyError: The storage has a study of that name and ``load_if_exists`` is False.
        InvalidArgumentError: Both ``direction`` and ``directions``, a direction other than "minimize" or
            "maximize", or (with ``load_if_exists``) directions other than the existing study's.

    Example:
        >>> import albacore
        >>> study = albacore.create_study(direction="maximize")
        >>> study.direction
        StudyDirection.MAXIMIZE
    """
    from albacore.storages import get_storage

    if direction is not None and directions is not None:
        raise InvalidArgumentError("Give `direction` or `directions`, not both.")
    if directions is not None:
        if isinstance(directions, str) or len(directions) == 0:
            raise InvalidArgumentError(f"`directions` must be a non-empty list of directions, got {directions!r}.")
        resolved = [_to_direction(d) for d in directions]
    else:
        resolved = [_to_direction(direction if direction is not None else "minimize")]

    store = get_storage(_storage_or_env(storage))
    try:
        study_id = store.create_new_study(resolved, study_name)
    except DuplicatedStudyError:
        if not load_if_exists:
            raise
        assert study_name is not None
        existing = store.get_study_directions(store.get_study_id_from_name(study_name))
        if existing != resolved and (direction is not None or directions is not None):
            raise InvalidArgumentError(
                f"Study {study_name!r} exists with directions {[d.name.lower() for d in existing]}, "
                f"not {[d.name.lower() for d in resolved]}."
            ) from None
        _logger.info(f"Using the existing study {study_name!r}.")
        return Study(study_name, store, sampler=sampler, pruner=pruner)
    name = store.get_study_name_from_id(study_id)
    _logger.info(f"A new study created{_where(store)} with name: {name}")
    return Study(name, store, sampler=sampler, pruner=pruner)


def load_study(
    *,
    study_name: str | None,
    storage: str | BaseStorage | None = None,
    sampler: BaseSampler | None = None,
    pruner: BasePruner | None = None,
) -> Study:
    """Open an existing study; with ``study_name=None`` the storage must hold exactly one study.

    With ``storage=None`` the study is looked for in the storage named by the ``ALBACORE_STORAGE`` environment
    variable.

    Args:
        study_name: The study's name; None when the storage holds exactly one study.
        storage: The storage (or its URL); None for the one named by ``ALBACORE_STORAGE``.
        sampler: How parameters are chosen; the default picks a strong sampler for the study.
        pruner: How running trials are stopped early; MedianPruner by default.

    Raises:
        StudyNotFoundError: The storage has no study of that name (a KeyError; the message lists those it has).
        InvalidArgumentError: No storage was given or named by ``ALBACORE_STORAGE``, or ``study_name`` is None
            and the storage does not hold exactly one study.

    Example:
        >>> import albacore
        >>> storage = albacore.storages.InMemoryStorage()
        >>> albacore.create_study(study_name="demo", storage=storage).optimize(
        ...     lambda trial: trial.suggest_float("x", 0, 1), n_trials=3)
        >>> study = albacore.load_study(study_name="demo", storage=storage)
        >>> len(study.trials)
        3
    """
    from albacore.storages import get_storage

    url = _storage_or_env(storage)
    if url is None:
        raise InvalidArgumentError(
            "load_study needs a `storage` (a URL such as 'sqlite:///study.db' or a storage object), got None and "
            f"the {STORAGE_ENV} environment variable is not set. Pass the storage the study was created in."
        )
    store = get_storage(url)
    if study_name is None:
        names = get_all_study_names(store)
        if len(names) != 1:
            raise InvalidArgumentError(
                f"`study_name` may be None only when the storage holds exactly one study; it holds {names}."
            )
        study_name = names[0]
    return Study(study_name, store, sampler=sampler, pruner=pruner)


def delete_study(*, study_name: str, storage: str | BaseStorage) -> None:
    """Delete a study and all its trials.

    Args:
        study_name: The name of the study to delete.
        storage: The storage (or its URL) that holds it.

    Raises:
        StudyNotFoundError: The storage has no study of that name.
    """
    from albacore.storages import get_storage

    store = get_storage(storage)
    store.delete_study(store.get_study_id_from_name(study_name))


def copy_study(
    *,
    from_study_name: str,
    from_storage: str | BaseStorage,
    to_storage: str | BaseStorage,
    to_study_name: str | None = None,
) -> None:
    """Copy a study, with its attributes and every trial, into another storage (or under another name).

    Works between any two storages (memory, databases, journals). Every trial is copied in number order,
    running and waiting ones included, so numbers, states, values, parameters, intermediate values,
    attributes and datetimes are the same in the copy; trial ids are the target storage's own.

    Args:
        from_study_name: The name of the study to copy.
        from_storage: The storage (or its URL) that holds it.
        to_storage: The storage (or its URL) to copy it into.
        to_study_name: The copy's name; the original's when None.

    Raises:
        DuplicatedStudyError: The target storage already has a study of that name.

    Example:
        >>> import albacore
        >>> source = albacore.storages.InMemoryStorage()
        >>> study = albacore.create_study(storage=source, study_name="s")
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
        >>> target = albacore.storages.InMemoryStorage()
        >>> albacore.copy_study(from_study_name="s", from_storage=source, to_storage=target)
        >>> [t.number for t in albacore.load_study(study_name="s", storage=target).trials]
        [0, 1, 2]
    """
    from albacore.storages import get_storage
    from albacore.storages._optuna import SourceStudy, write_study

    source = get_storage(from_storage)
    study_id = source.get_study_id_from_name(from_study_name)
    study = SourceStudy(
        from_study_name,
        source.get_study_directions(study_id),
        source.get_study_user_attrs(study_id),
        source.get_study_system_attrs(study_id),
        source.get_all_trials(study_id, deepcopy=False),
    )
    write_study(get_storage(to_storage), study, name=to_study_name or from_study_name)


def get_all_study_summaries(storage: str | BaseStorage, include_best_trial: bool = True) -> list[StudySummary]:
    """Return a summary (name, directions, trial count, best trial, start) of every study in the storage.

    Args:
        storage: The storage (or its URL) to list.
        include_best_trial: Read each study's best trial into its summary (one more read per study).
    """
    from albacore.storages import get_storage

    store = get_storage(storage)
    summaries = []
    for frozen in store.get_all_studies():
        trials = store.get_all_trials(frozen._study_id, deepcopy=False)
        best = None
        if include_best_trial and len(frozen.directions) == 1:
            best = best_of([t for t in trials if t.state == TrialState.COMPLETE], frozen.directions[0])
        starts = [t.datetime_start for t in trials if t.datetime_start is not None]
        summaries.append(
            StudySummary(
                frozen.study_name,
                None,
                best,
                frozen.user_attrs,
                len(trials),
                min(starts) if starts else None,
                frozen._study_id,
                directions=frozen.directions,
            )
        )
    return summaries


def get_all_study_names(storage: str | BaseStorage) -> list[str]:
    """Return the names of every study in the storage.

    Args:
        storage: The storage (or its URL) to list.
    """
    from albacore.storages import get_storage

    return [s.study_name for s in get_storage(storage).get_all_studies()]
