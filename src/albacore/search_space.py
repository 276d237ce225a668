"""Search spaces inferred from a study's finished trials (the ``optuna.search_space`` module).

Example:
    >>> import albacore
    >>> from albacore.search_space import intersection_search_space
    >>> study = albacore.create_study()
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    >>> list(intersection_search_space(study.trials))
    ['x']
"""

from albacore.samplers._search_space import (
    GroupDecomposedSearchSpace,
    IntersectionSearchSpace,
    SearchSpaceGroup,
    intersection_search_space,
)

__all__ = ["GroupDecomposedSearchSpace", "IntersectionSearchSpace", "SearchSpaceGroup", "intersection_search_space"]
