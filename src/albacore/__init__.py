"""albacore: define-by-run hyperparameter optimization.

Code written for Optuna's public API runs unchanged after ``import albacore as optuna``.

Example:
    >>> import albacore
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", -10, 10)
    ...     return (x - 2) ** 2
    >>> study = albacore.create_study()
    >>> study.optimize(objective, n_trials=10)
    >>> len(study.trials)
    10
"""

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

from albacore import (
    artifacts,
    distributions,
    exceptions,
    importance,
    integration,
    logging,
    pruners,
    samplers,
    search_space,
    storages,
    study,
    trial,
)
from albacore.exceptions import TrialPruned
from albacore.study import (
    Study,
    copy_study,
    create_study,
    delete_study,
    get_all_study_names,
    get_all_study_summaries,
    load_study,
)
from albacore.trial import Trial, create_trial
from albacore.version import __version__

if TYPE_CHECKING:
    from albacore import terminator, visualization

__all__ = [
    "Study",
    "Trial",
    "TrialPruned",
    "__version__",
    "artifacts",
    "copy_study",
    "create_study",
    "create_trial",
    "delete_study",
    "distributions",
    "exceptions",
    "get_all_study_names",
    "get_all_study_summaries",
    "importance",
    "integration",
    "load_study",
    "logging",
    "pruners",
    "samplers",
    "search_space",
    "storages",
    "study",
    "terminator",
    "trial",
    "visualization",
]

# Submodules imported on first use, so that `import albacore` stays fast (plots, for example, are rarely
# needed by the worker processes that import albacore).
_LAZY_SUBMODULES = frozenset({"terminator", "visualization"})


def __getattr__(name: str) -> ModuleType:
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"albacore.{name}")
    raise AttributeError(f"module 'albacore' has no attribute {name!r}")
