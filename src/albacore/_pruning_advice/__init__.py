"""The pruning advisor: replay a study's learning curves through pruner settings and say which to use.

Reached as :func:`albacore.pruners.advise` and ``albacore pruners advise``. It replays trials through a fresh
in-memory study per setting, so it sits above ``study/`` (it reads a study, it never changes how one runs).
"""

from albacore._pruning_advice._advice import WEAK_BELOW, PruningAdvice, advise
from albacore._pruning_advice._replay import Replay

__all__ = ["WEAK_BELOW", "PruningAdvice", "Replay", "advise"]
