"""Pruners: stop unpromising trials early from their intermediate reports.

:func:`advise` replays a finished study's learning curves through pruner settings and says which to use.
"""

from typing import Any

from albacore.pruners._base import BasePruner
from albacore.pruners._hyperband import HyperbandPruner
from albacore.pruners._nop import NopPruner
from albacore.pruners._pareto_halving import ParetoSuccessiveHalvingPruner
from albacore.pruners._pareto_percentile import ParetoMedianPruner, ParetoPercentilePruner
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
    "ParetoMedianPruner",
    "ParetoPercentilePruner",
    "ParetoSuccessiveHalvingPruner",
    "PatientPruner",
    "PercentilePruner",
    "SuccessiveHalvingPruner",
    "ThresholdPruner",
    "WilcoxonPruner",
    "advise",
]


def __getattr__(name: str) -> Any:
    # The advisor replays trials through in-memory studies, so it lives above the study layer
    # (albacore._pruning_advice); it is found here, where users look for pruner advice, once asked for.
    if name == "advise":
        from albacore._pruning_advice import advise

        return advise
    raise AttributeError(f"module 'albacore.pruners' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
