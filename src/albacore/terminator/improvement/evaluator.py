"""Optuna's module path ``optuna.terminator.improvement.evaluator``; the names live in :mod:`albacore.terminator`."""

from albacore.terminator._improvement import (
    DEFAULT_MIN_N_TRIALS,
    DEFAULT_TOP_TRIALS_RATIO,
    BaseImprovementEvaluator,
    BestValueStagnationEvaluator,
    RegretBoundEvaluator,
)

__all__ = [
    "DEFAULT_MIN_N_TRIALS",
    "DEFAULT_TOP_TRIALS_RATIO",
    "BaseImprovementEvaluator",
    "BestValueStagnationEvaluator",
    "RegretBoundEvaluator",
]
