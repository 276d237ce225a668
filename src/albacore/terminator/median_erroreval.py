"""Optuna's module path ``optuna.terminator.median_erroreval``; the class lives in :mod:`albacore.terminator`."""

from albacore.terminator._erroreval import MedianErrorEvaluator

__all__ = ["MedianErrorEvaluator"]
