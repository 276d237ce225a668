"""Genetic samplers: NSGA-II, NSGA-III, their base class and their operators."""

from albacore.samplers._nsga._base import BaseGASampler
from albacore.samplers._nsga._operators import (
    BaseCrossover,
    BaseMutation,
    BLXAlphaCrossover,
    PolynomialMutation,
    SBXCrossover,
    SPXCrossover,
    UNDXCrossover,
    UniformCrossover,
    VSBXCrossover,
)
from albacore.samplers._nsga._sampler import NSGAIIISampler, NSGAIISampler

__all__ = [
    "BaseGASampler",
    "NSGAIISampler",
    "NSGAIIISampler",
    "BaseCrossover",
    "UniformCrossover",
    "BLXAlphaCrossover",
    "SBXCrossover",
    "VSBXCrossover",
    "UNDXCrossover",
    "SPXCrossover",
    "BaseMutation",
    "PolynomialMutation",
]
