"""Pruners: stop unpromising trials early from their intermediate reports."""

from albacore.pruners._base import BasePruner
from albacore.pruners._hyperband import HyperbandPruner
from albacore.pruners._nop import NopPruner
from albacore.pruners._patient import PatientPruner
from albacore.pruners._percentile import MedianPruner, PercentilePruner
from albacore.pruners._successive_halving import SuccessiveHalvingPruner
from albacore.pruners._threshold import ThresholdPruner
from albacore.pruners._wilcoxon import WilcoxonPruner

__all__ = [
    "BasePruner",
    "HyperbandPruner",
    "MedianPruner",
    "NopPruner",
    "PatientPruner",
    "PercentilePruner",
    "SuccessiveHalvingPruner",
    "ThresholdPruner",
    "WilcoxonPruner",
]
