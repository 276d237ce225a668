"""The module path ``optuna.study._frozen``, kept for code written for Optuna that imports from it (a storage
of one's own returns FrozenStudy records from ``get_all_studies``)."""

from albacore._study_records import FrozenStudy

__all__ = ["FrozenStudy"]
