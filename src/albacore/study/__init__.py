"""Studies: create, load and run them."""

from albacore._study_records import StudyDirection, StudySummary

# ``optuna.study.study`` is reachable as an attribute once ``optuna.study`` is imported; so is albacore's.
from albacore.study import study as study
from albacore.study._callbacks import MaxTrialsCallback
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
    "MaxTrialsCallback",
    "ObjectiveFuncType",
    "Study",
    "StudyDirection",
    "StudySummary",
    "copy_study",
    "create_study",
    "delete_study",
    "get_all_study_names",
    "get_all_study_summaries",
    "load_study",
]
