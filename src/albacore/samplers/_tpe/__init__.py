"""Tree-structured Parzen Estimator sampler (single- and multi-objective)."""

from albacore.samplers._tpe._sampler import TPESampler

__all__ = ["TPESampler"]
