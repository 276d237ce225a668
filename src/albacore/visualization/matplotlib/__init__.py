"""Plots of a study drawn with matplotlib: the functions of :mod:`albacore.visualization`, returning Axes.

Each plot is drawn inside a style context, so calling one never changes your global matplotlib style.
``pip install 'albacore[matplotlib]'`` installs matplotlib.

Example:
    >>> import albacore
    >>> from albacore.visualization.matplotlib import plot_optimization_history
    >>> study = albacore.create_study()
    >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=10)
    >>> plot_optimization_history(study).get_title()
    'Optimization History Plot'
"""

from __future__ import annotations

import importlib.util

from albacore.visualization.matplotlib._contour import plot_contour
from albacore.visualization.matplotlib._edf import plot_edf
from albacore.visualization.matplotlib._hypervolume_history import plot_hypervolume_history
from albacore.visualization.matplotlib._intermediate_values import plot_intermediate_values
from albacore.visualization.matplotlib._optimization_history import plot_optimization_history
from albacore.visualization.matplotlib._parallel_coordinate import plot_parallel_coordinate
from albacore.visualization.matplotlib._param_importances import plot_param_importances
from albacore.visualization.matplotlib._pareto_front import plot_pareto_front
from albacore.visualization.matplotlib._pruning_advice import plot_pruning_advice
from albacore.visualization.matplotlib._rank import plot_rank
from albacore.visualization.matplotlib._slice import plot_slice
from albacore.visualization.matplotlib._terminator_improvement import plot_terminator_improvement
from albacore.visualization.matplotlib._timeline import plot_timeline

__all__ = [
    "is_available",
    "plot_contour",
    "plot_edf",
    "plot_hypervolume_history",
    "plot_intermediate_values",
    "plot_optimization_history",
    "plot_parallel_coordinate",
    "plot_param_importances",
    "plot_pareto_front",
    "plot_pruning_advice",
    "plot_rank",
    "plot_slice",
    "plot_terminator_improvement",
    "plot_timeline",
]


def is_available() -> bool:
    """Return True when matplotlib is installed, so that these functions can draw.

    Example:
        >>> isinstance(is_available(), bool)
        True
    """
    return importlib.util.find_spec("matplotlib") is not None
