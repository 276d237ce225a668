"""Samplers: how each trial's parameters are chosen."""

from typing import TYPE_CHECKING, Any

from albacore.samplers import nsgaii
from albacore.samplers._auto import AutoSampler
from albacore.samplers._base import BaseSampler
from albacore.samplers._brute_force import BruteForceSampler
from albacore.samplers._grid import GridSampler
from albacore.samplers._nsga import BaseGASampler, NSGAIIISampler, NSGAIISampler
from albacore.samplers._partial_fixed import PartialFixedSampler
from albacore.samplers._random import RandomSampler
from albacore.samplers._search_space import IntersectionSearchSpace, intersection_search_space
from albacore.samplers._tpe import TPESampler

if TYPE_CHECKING:
    from albacore.samplers._cmaes import CmaEsSampler
    from albacore.samplers._gp import GPSampler
    from albacore.samplers._qmc import QMCSampler

__all__ = [
    "AutoSampler",
    "BaseSampler",
    "BaseGASampler",
    "BruteForceSampler",
    "CmaEsSampler",
    "GPSampler",
    "GridSampler",
    "NSGAIISampler",
    "NSGAIIISampler",
    "PartialFixedSampler",
    "QMCSampler",
    "RandomSampler",
    "TPESampler",
    "IntersectionSearchSpace",
    "intersection_search_space",
    "default_sampler",
    "nsgaii",
]


def default_sampler(n_objectives: int) -> BaseSampler:
    """The sampler ``create_study`` uses when none is given: the AutoSampler (GP early on small numeric
    spaces, TPE otherwise; multi-objective TPE for several objectives).

    Args:
        n_objectives: How many objectives the study has.
    """
    return AutoSampler()


def __getattr__(name: str) -> Any:
    # These pull in scipy.optimize, scipy.stats or the optional `cmaes` package: only their users pay for the
    # import.
    if name == "GPSampler":
        from albacore.samplers._gp import GPSampler

        return GPSampler
    if name == "CmaEsSampler":
        from albacore.samplers._cmaes import CmaEsSampler

        return CmaEsSampler
    if name == "QMCSampler":
        from albacore.samplers._qmc import QMCSampler

        return QMCSampler
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
