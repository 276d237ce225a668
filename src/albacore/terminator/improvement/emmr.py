"""Optuna's module path ``optuna.terminator.improvement.emmr``; the class lives in :mod:`albacore.terminator`."""

from albacore.terminator._emmr import MARGIN_FOR_NUMARICAL_STABILITY, EMMREvaluator

__all__ = ["MARGIN_FOR_NUMARICAL_STABILITY", "EMMREvaluator"]
