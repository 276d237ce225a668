"""Typed errors raised by albacore.

Every error albacore raises on purpose derives from :class:`AlbacoreError`. Where Optuna users already catch a
built-in type (``ValueError`` for bad arguments, ``KeyError`` for unknown studies, ``RuntimeError`` for updates
of finished trials), the albacore error derives from that type as well, so existing ``except`` clauses keep
working.

Hierarchy::

    AlbacoreError  (alias: OptunaError)
    ├── TrialPruned
    ├── ArtifactNotFound                  (as in optuna.artifacts.exceptions)
    ├── CLIUsageError
    ├── DuplicatedStudyError
    ├── StudyNotFoundError                (also KeyError)
    ├── InvalidArgumentError              (also ValueError)
    │   ├── InvalidArgumentTypeError      (also TypeError)
    │   ├── InvalidDistributionError
    │   └── IncompatibleDistributionError
    ├── UpdateFinishedTrialError          (also RuntimeError)
    │   └── TrialAlreadyFinishedError     (also InvalidArgumentError)
    ├── StaleTrialError                   (also RuntimeError)
    └── StorageInternalError
        ├── StorageCorruptedError
        └── StorageVersionError

    ExperimentalWarning  (a Warning)
    NumericCategoricalWarning  (a UserWarning)
"""

from __future__ import annotations

__all__ = [
    "AlbacoreError",
    "ArtifactNotFound",
    "CLIUsageError",
    "DuplicatedStudyError",
    "ExperimentalWarning",
    "IncompatibleDistributionError",
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "InvalidDistributionError",
    "NumericCategoricalWarning",
    "OptunaError",
    "StaleTrialError",
    "StorageCorruptedError",
    "StorageInternalError",
    "StorageVersionError",
    "StudyNotFoundError",
    "TrialAlreadyFinishedError",
    "TrialPruned",
    "UpdateFinishedTrialError",
]


class AlbacoreError(Exception):
    """Base class of every error albacore raises on purpose."""


OptunaError = AlbacoreError
"""Alias kept so that code written for Optuna (``except optuna.exceptions.OptunaError``) runs unchanged."""


class TrialPruned(AlbacoreError):
    """Raise it from an objective to stop the current trial early; the trial ends as PRUNED.

    Example:
        >>> import albacore
        >>> def objective(trial):
        ...     for step in range(10):
        ...         trial.report(1.0 / (step + 1), step)
        ...         if trial.should_prune():
        ...             raise albacore.TrialPruned()
        ...     return 0.0
    """


class ArtifactNotFound(AlbacoreError):
    """No artifact with the requested id is in the artifact store (raised by ``open_reader`` and ``remove``)."""


class CLIUsageError(AlbacoreError):
    """The ``albacore`` command was called with arguments that do not fit together."""


class DuplicatedStudyError(AlbacoreError):
    """A study with the requested name already exists in the storage."""


class StudyNotFoundError(AlbacoreError, KeyError):
    """No study with the requested name or id exists in the storage."""

    def __str__(self) -> str:
        # KeyError quotes its argument; a sentence reads better unquoted.
        return str(self.args[0]) if self.args else ""


class InvalidArgumentError(AlbacoreError, ValueError):
    """An argument was outside what the called function accepts; nothing was written."""


class InvalidArgumentTypeError(InvalidArgumentError, TypeError):
    """An argument of a type the called function cannot use (a TypeError too, as Optuna raises there)."""


class InvalidDistributionError(InvalidArgumentError):
    """The arguments of a ``suggest_*`` call or a distribution constructor do not describe a valid range."""


class IncompatibleDistributionError(InvalidArgumentError):
    """A parameter name was suggested again with a distribution of another kind."""


class UpdateFinishedTrialError(AlbacoreError, RuntimeError):
    """A finished trial (COMPLETE, PRUNED or FAIL) was asked to change; finished trials are read-only."""


class TrialAlreadyFinishedError(UpdateFinishedTrialError, InvalidArgumentError):
    """``Study.tell`` was called for a trial that is already finished (a ValueError too, as Optuna raises there).

    Pass ``skip_if_finished=True`` to ``tell`` to ignore repeated calls instead.
    """


class StaleTrialError(AlbacoreError, RuntimeError):
    """This worker's running trial was failed by another worker because its heartbeat went stale."""


class StorageInternalError(AlbacoreError):
    """The storage backend failed in a way the caller cannot fix by changing arguments."""


class StorageCorruptedError(StorageInternalError):
    """Persisted data is damaged; the message says where and which command repairs it."""


class StorageVersionError(StorageInternalError):
    """The storage schema is older or newer than this albacore understands; the message names the fix."""


class ExperimentalWarning(Warning):
    """Emitted once by features whose interface may still change."""


class NumericCategoricalWarning(UserWarning):
    """A categorical parameter's choices are all numbers, whose order a categorical throws away.

    Emitted once per study and parameter, naming the ``suggest_float`` / ``suggest_int`` call to use instead.
    To keep a numeric categorical on purpose and silence it::

        warnings.filterwarnings("ignore", category=albacore.exceptions.NumericCategoricalWarning)

    (or ``python -W ignore::albacore.exceptions.NumericCategoricalWarning``).
    """
