"""Optuna's package path ``optuna.terminator.improvement``; the evaluators live in :mod:`albacore.terminator`."""

__all__: list[str] = []
