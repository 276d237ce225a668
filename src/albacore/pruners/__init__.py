"""Pruners: stop unpromising trials early from their intermediate reports."""

from albacore.pruners._base import BasePruner
from albacore.pruners._nop import NopPruner
from albacore.pruners._percentile import MedianPruner, PercentilePruner

__all__ = ["BasePruner", "MedianPruner", "NopPruner", "PercentilePruner"]
