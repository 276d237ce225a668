"""The module path ``optuna.study.study``, kept for code written for Optuna that imports from it.

Everything here is the same object as in :mod:`albacore.study`.
"""

from albacore.study._functions import (
    copy_study,
    create_study,
    delete_study,
    get_all_study_names,
    get_all_study_summaries,
    load_study,
)
from albacore.study._study import ObjectiveFuncType, Study

__all__ = [
    "ObjectiveFuncType",
    "Study",
    "copy_study",
    "create_study",
    "delete_study",
    "get_all_study_names",
    "get_all_study_summaries",
    "load_study",
]
