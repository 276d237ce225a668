"""Plots of a study with plotly (``albacore.visualization``) or matplotlib (``albacore.visualization.matplotlib``).

Same names, arguments and return types as Optuna's: every ``plot_*`` function takes a study and returns a
``plotly.graph_objects.Figure``. The numbers behind each plot come from a pure function in
:mod:`albacore.visualization.data` (no plotting library needed), so a web page can draw them too. plotly is
imported when a plot is first drawn; ``pip install 'albacore[plotly]'`` installs it.

Example:
    >>> import albacore
    >>> study = albacore.create_study()
    >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=10)
    >>> fig = albacore.visualization.plot_optimization_history(study)
    >>> [trace.name for trace in fig.data]
    ['Objective Value', 'Best Value']
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import TYPE_CHECKING

from albacore.visualization import data
from albacore.visualization._contour import plot_contour
from albacore.visualization._edf import plot_edf
from albacore.visualization._hypervolume_history import plot_hypervolume_history
from albacore.visualization._intermediate_values import plot_intermediate_values
from albacore.visualization._optimization_history import plot_optimization_history
from albacore.visualization._parallel_coordinate import plot_parallel_coordinate
from albacore.visualization._param_importances import plot_param_importances
from albacore.visualization._pareto_front import plot_pareto_front
from albacore.visualization._pruning_advice import plot_pruning_advice
from albacore.visualization._rank import plot_rank
from albacore.visualization._slice import plot_slice
from albacore.visualization._terminator_improvement import plot_terminator_improvement
from albacore.visualization._timeline import plot_timeline

if TYPE_CHECKING:
    from albacore.visualization import matplotlib

__all__ = [
    "data",
    "is_available",
    "matplotlib",
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
    """Return True when plotly is installed, so that the ``plot_*`` functions can draw.

    Example:
        >>> isinstance(is_available(), bool)
        True
    """
    return importlib.util.find_spec("plotly") is not None


def __getattr__(name: str) -> ModuleType:
    # `albacore.visualization.matplotlib` is imported on first use, like the plotting libraries themselves.
    if name == "matplotlib":
        return importlib.import_module("albacore.visualization.matplotlib")
    raise AttributeError(f"module 'albacore.visualization' has no attribute {name!r}")
