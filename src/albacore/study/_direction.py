"""Which way a study optimizes."""

from __future__ import annotations

import enum

__all__ = ["StudyDirection"]


class StudyDirection(enum.IntEnum):
    """MINIMIZE or MAXIMIZE (NOT_SET exists for storages that create a study before knowing)."""

    NOT_SET = 0
    MINIMIZE = 1
    MAXIMIZE = 2

    def __repr__(self) -> str:
        return f"StudyDirection.{self.name}"
