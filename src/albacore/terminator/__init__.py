"""Knowing when to stop: terminate a study once the room left for improvement is within the objective's noise.

A :class:`Terminator` compares an improvement evaluator (how much better the study may still get: a GP regret
bound, the expected minimum model regret, or the trials since the best value last improved) with an error
evaluator (how much of a difference is noise: the cross-validation error of the best trial, a constant, or a
fraction of the early criteria). :class:`TerminatorCallback` stops ``study.optimize`` when it says so, and
``albacore.visualization.plot_terminator_improvement`` draws both over the trials. The Gaussian processes are
albacore's own (numpy and scipy; no torch).

The names, signatures and module paths are Optuna 5.0's (``optuna.terminator``). Optuna 5.0 deprecates that
module (it plans to drop it in 6.0); albacore keeps it, supported and without a deprecation warning.

Example:
    >>> import albacore
    >>> from albacore.terminator import BestValueStagnationEvaluator, Terminator, TerminatorCallback
    >>> stop = TerminatorCallback(Terminator(BestValueStagnationEvaluator(10), min_n_trials=1))
    >>> study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
    >>> study.optimize(lambda t: round(t.suggest_float("x", 0, 1), 1), n_trials=200, callbacks=[stop])
    >>> len(study.trials) < 200
    True
"""

from albacore.terminator._emmr import EMMREvaluator
from albacore.terminator._erroreval import (
    BaseErrorEvaluator,
    CrossValidationErrorEvaluator,
    MedianErrorEvaluator,
    StaticErrorEvaluator,
    report_cross_validation_scores,
)
from albacore.terminator._improvement import (
    BaseImprovementEvaluator,
    BestValueStagnationEvaluator,
    RegretBoundEvaluator,
)
from albacore.terminator._terminator import BaseTerminator, Terminator, TerminatorCallback

__all__ = [
    "BaseErrorEvaluator",
    "BaseImprovementEvaluator",
    "BaseTerminator",
    "BestValueStagnationEvaluator",
    "CrossValidationErrorEvaluator",
    "EMMREvaluator",
    "MedianErrorEvaluator",
    "RegretBoundEvaluator",
    "StaticErrorEvaluator",
    "Terminator",
    "TerminatorCallback",
    "report_cross_validation_scores",
]
