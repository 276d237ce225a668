"""Samplers: how each trial's parameters are chosen."""

from albacore.samplers._base import BaseSampler
from albacore.samplers._random import RandomSampler

__all__ = ["BaseSampler", "RandomSampler", "default_sampler"]


def default_sampler(n_objectives: int) -> BaseSampler:
    """The sampler ``create_study`` uses when none is given."""
    return RandomSampler()
