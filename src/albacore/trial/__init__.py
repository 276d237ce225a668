"""Trials: the running handle (Trial), the stored record (FrozenTrial), FixedTrial, states."""

from albacore.trial._base import BaseTrial
from albacore.trial._fixed import FixedTrial
from albacore.trial._frozen import FrozenTrial, create_trial
from albacore.trial._state import TrialState
from albacore.trial._trial import Trial

__all__ = ["BaseTrial", "FixedTrial", "FrozenTrial", "Trial", "TrialState", "create_trial"]
