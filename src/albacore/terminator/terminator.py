"""Optuna's module path ``optuna.terminator.terminator``; the classes live in :mod:`albacore.terminator`."""

from albacore.terminator._terminator import BaseTerminator, Terminator

__all__ = ["BaseTerminator", "Terminator"]
