"""Gaussian-process Bayesian optimization (numpy and scipy only)."""

from albacore.samplers._gp._sampler import GPSampler

__all__ = ["GPSampler"]
