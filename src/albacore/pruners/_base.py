"""BasePruner: decides, from a running trial's reports and the study's history, whether to stop it."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

from albacore.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["BasePruner"]


class BasePruner(abc.ABC):
    """Subclass it and implement ``prune`` to write your own pruner.

    Example:
        >>> import albacore
        >>> class LastValuePruner(albacore.pruners.BasePruner):
        ...     def prune(self, study, trial):
        ...         step = trial.last_step
        ...         return step is not None and trial.intermediate_values[step] > 1.0
        >>> study = albacore.create_study(pruner=LastValuePruner())
    """

    def __str__(self) -> str:
        return type(self).__name__

    @abc.abstractmethod
    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        """Return True when ``trial`` (running, with its intermediate values) should be stopped now."""

    def _study_for_sampler(self, study: Study, trial: FrozenTrial) -> Study:
        """The view of ``study`` that samplers should see while they choose parameters for ``trial``.

        Most pruners leave the sampler the whole study. A pruner that splits trials into groups which must
        not learn from each other (Hyperband's brackets) returns a filtered view, so that no sampler has to
        know about pruners.
        """
        return study
