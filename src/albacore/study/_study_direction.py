"""The module path ``optuna.study._study_direction``, kept for code written for Optuna that imports from it."""

from albacore._study_records import StudyDirection

__all__ = ["StudyDirection"]
