"""The data behind every plot, as small frozen records of plain lists, floats and strings.

Each ``*_data`` function is pure: it takes the trials of a study (a :class:`TrialSet`) and returns a record that
the plotly and matplotlib renderers draw and that a web page can receive as JSON
(``dataclasses.asdict(record)``). Nothing here imports plotly or matplotlib.

Example:
    >>> import dataclasses, json
    >>> import albacore
    >>> from albacore.visualization.data import TrialSet, optimization_history_data
    >>> study = albacore.create_study()
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    >>> record = optimization_history_data([TrialSet.of(study)])
    >>> json.loads(json.dumps(dataclasses.asdict(record)))["lines"][0]["trial_numbers"]
    [0, 1, 2]
"""

from albacore.visualization.data._common import DEFAULT_TARGET_NAME, ParamAxis, TrialSet
from albacore.visualization.data._contour import ContourData, ContourPanel, contour_data
from albacore.visualization.data._edf import EdfData, EdfLine, edf_data
from albacore.visualization.data._history import HistoryLine, OptimizationHistoryData, optimization_history_data
from albacore.visualization.data._hypervolume import HypervolumeHistoryData, hypervolume_history_data
from albacore.visualization.data._importances import ImportanceBars, ParamImportancesData, param_importances_data
from albacore.visualization.data._intermediate import IntermediateValuesData, LearningCurve, intermediate_values_data
from albacore.visualization.data._parallel import (
    ParallelCoordinateData,
    ParallelDimension,
    parallel_coordinate_data,
)
from albacore.visualization.data._pareto import ParetoFrontData, ParetoGroup, pareto_front_data
from albacore.visualization.data._pruning_advice import PruningFamily, PruningTradeoffData, pruning_tradeoff_data
from albacore.visualization.data._rank import RankData, RankPanel, rank_data
from albacore.visualization.data._slice import SliceData, SliceSubplot, slice_data
from albacore.visualization.data._terminator import TerminatorImprovementData, terminator_improvement_data
from albacore.visualization.data._timeline import TimelineBar, TimelineData, timeline_data

__all__ = [
    "DEFAULT_TARGET_NAME",
    "ParamAxis",
    "TrialSet",
    "ContourData",
    "ContourPanel",
    "contour_data",
    "EdfData",
    "EdfLine",
    "edf_data",
    "HistoryLine",
    "OptimizationHistoryData",
    "optimization_history_data",
    "HypervolumeHistoryData",
    "hypervolume_history_data",
    "ImportanceBars",
    "ParamImportancesData",
    "param_importances_data",
    "IntermediateValuesData",
    "LearningCurve",
    "intermediate_values_data",
    "ParallelCoordinateData",
    "ParallelDimension",
    "parallel_coordinate_data",
    "ParetoFrontData",
    "ParetoGroup",
    "pareto_front_data",
    "PruningFamily",
    "PruningTradeoffData",
    "pruning_tradeoff_data",
    "RankData",
    "RankPanel",
    "rank_data",
    "SliceData",
    "SliceSubplot",
    "slice_data",
    "TerminatorImprovementData",
    "terminator_improvement_data",
    "TimelineBar",
    "TimelineData",
    "timeline_data",
]
