"""Studies: create, load and run them."""

from albacore._study_records import StudyDirection, StudySummary
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
