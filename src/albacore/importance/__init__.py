"""Parameter importances: which parameters moved the objective (the ``optuna.importance`` module).

:func:`get_param_importances` with the default :class:`PedAnovaImportanceEvaluator` needs nothing beyond
numpy; :class:`FanovaImportanceEvaluator` and :class:`MeanDecreaseImpurityImportanceEvaluator` fit a random
forest with scikit-learn (``pip install 'albacore[sklearn]'``), imported only when they run. Write your own
method by subclassing :class:`BaseImportanceEvaluator`.

Example:
    >>> import albacore
    >>> study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + 1e-3 * t.suggest_float("y", 0, 1), n_trials=50)
    >>> list(albacore.importance.get_param_importances(study))
    ['x', 'y']
"""

from albacore.importance._api import get_param_importances
from albacore.importance._base import BaseImportanceEvaluator
from albacore.importance._fanova import FanovaImportanceEvaluator
from albacore.importance._mean_decrease_impurity import MeanDecreaseImpurityImportanceEvaluator
from albacore.importance._ped_anova import PedAnovaImportanceEvaluator

__all__ = [
    "BaseImportanceEvaluator",
    "FanovaImportanceEvaluator",
    "MeanDecreaseImpurityImportanceEvaluator",
    "PedAnovaImportanceEvaluator",
    "get_param_importances",
]
