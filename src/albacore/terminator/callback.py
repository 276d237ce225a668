"""Optuna's module path ``optuna.terminator.callback``; the class lives in :mod:`albacore.terminator`."""

from albacore.terminator._terminator import TerminatorCallback

__all__ = ["TerminatorCallback"]
