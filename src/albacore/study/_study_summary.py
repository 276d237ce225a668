"""The module path ``optuna.study._study_summary``, kept for code written for Optuna that imports from it."""

from albacore._study_records import StudySummary

__all__ = ["StudySummary"]
