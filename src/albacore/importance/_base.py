"""The evaluator interface that every importance method, albacore's and users' own, implements."""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from albacore.study import Study
    from albacore.trial import FrozenTrial

__all__ = ["BaseImportanceEvaluator"]


class BaseImportanceEvaluator(abc.ABC):
    """Interface of parameter importance evaluators.

    Subclass it and implement :meth:`evaluate` to plug your own method into
    :func:`~albacore.importance.get_param_importances` and ``plot_param_importances``.

    Example:
        >>> import albacore
        >>> from albacore.importance import BaseImportanceEvaluator, get_param_importances
        >>> class FirstParamMatters(BaseImportanceEvaluator):
        ...     def evaluate(self, study, params=None, *, target=None):
        ...         names = params if params is not None else sorted(study.trials[0].params)
        ...         return {name: float(i == 0) for i, name in enumerate(names)}
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("a", 0, 1) + t.suggest_float("b", 0, 1), n_trials=3)
        >>> get_param_importances(study, evaluator=FirstParamMatters())
        {'a': 1.0, 'b': 0.0}
    """

    @abc.abstractmethod
    def evaluate(
        self,
        study: Study,
        params: list[str] | None = None,
        *,
        target: Callable[[FrozenTrial], float] | None = None,
    ) -> dict[str, float]:
        """Return the importance of each parameter, most important first.

        Args:
            study: The study whose COMPLETE trials are analysed.
            params: Names of the parameters to evaluate; None means the evaluator's default set.
            target: Maps a trial to the value analysed; None means the objective value.

        Returns:
            Parameter name -> non-negative importance, ordered from most to least important.
        """
