"""CMA-ES sampler on the ``cmaes`` library, with CatCMA for categorical parameters and JSON-stored state."""

from albacore.samplers._cmaes._sampler import CmaEsSampler

__all__ = ["CmaEsSampler"]
