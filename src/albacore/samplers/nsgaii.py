"""Operators of :class:`~albacore.samplers.NSGAIISampler`: crossovers and mutations (Optuna's ``samplers.nsgaii``)."""

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

__all__ = [
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
