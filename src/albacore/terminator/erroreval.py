"""Optuna's module path ``optuna.terminator.erroreval``; the names live in :mod:`albacore.terminator`."""

from albacore.terminator._erroreval import (
    CROSS_VALIDATION_SCORES_KEY,
    BaseErrorEvaluator,
    CrossValidationErrorEvaluator,
    StaticErrorEvaluator,
    report_cross_validation_scores,
)

__all__ = [
    "BaseErrorEvaluator",
    "CrossValidationErrorEvaluator",
    "StaticErrorEvaluator",
    "report_cross_validation_scores",
]

_CROSS_VALIDATION_SCORES_KEY = CROSS_VALIDATION_SCORES_KEY  # the name Optuna's code reads the key by
