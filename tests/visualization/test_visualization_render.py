"""Both renderers of every plot: they draw the records on mixed, multi-objective, empty and one-trial studies,
label what Optuna's users look for, and never change matplotlib's global style."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any

import numpy as np
import pytest

import albacore
from albacore.distributions import FloatDistribution
from albacore.study import Study
from albacore.trial import create_trial
from conftest import make_mixed_study, make_multi_objective_study

go = pytest.importorskip("plotly.graph_objects")
plt = pytest.importorskip("matplotlib.pyplot")
from matplotlib.axes import Axes  # noqa: E402 - after the importorskip above

import albacore.visualization as plotly_vis  # noqa: E402
import albacore.visualization.matplotlib as mpl_vis  # noqa: E402

# (name, extra keyword arguments for a single-objective study)
PLOTS: list[tuple[str, dict[str, Any]]] = [
    ("plot_optimization_history", {}),
    ("plot_intermediate_values", {}),
    ("plot_edf", {}),
    ("plot_slice", {}),
    ("plot_timeline", {}),
    ("plot_parallel_coordinate", {}),
    ("plot_contour", {"params": ["lr", "layers", "momentum"]}),
    ("plot_rank", {"params": ["lr", "batch", "momentum"]}),
    ("plot_param_importances", {}),
]
MULTI_PLOTS: list[tuple[str, dict[str, Any]]] = [
    ("plot_pareto_front", {}),
    ("plot_hypervolume_history", {"reference_point": [10.0, -10.0]}),
    ("plot_parallel_coordinate", {}),
    ("plot_intermediate_values", {}),
    ("plot_timeline", {}),
    ("plot_param_importances", {}),
]
TARGETED = {"plot_optimization_history", "plot_edf", "plot_slice", "plot_contour", "plot_rank"}
LIBRARIES = [pytest.param(plotly_vis, id="plotly"), pytest.param(mpl_vis, id="matplotlib")]


def _check_figure(figure: Any) -> None:
    if isinstance(figure, go.Figure):
        assert figure.to_json()
    else:
        axes = np.atleast_1d(figure).ravel()
        assert all(isinstance(ax, Axes) for ax in axes)
        axes[0].figure.savefig(BytesIO())


def _one_trial_study() -> Study:
    study = albacore.create_study()
    study.add_trial(create_trial(value=1.0, params={"x": 0.5}, distributions={"x": FloatDistribution(0, 1)}))
    return study


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize(("name", "kwargs"), PLOTS, ids=[p[0] for p in PLOTS])
def test_every_plot_draws_a_mixed_study(library: Any, name: str, kwargs: dict[str, Any], mixed_study: Study) -> None:
    rc_before = dict(plt.rcParams)
    _check_figure(getattr(library, name)(mixed_study, **kwargs))
    assert dict(plt.rcParams) == rc_before  # a plot never changes the caller's global style


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize(("name", "kwargs"), MULTI_PLOTS, ids=[p[0] for p in MULTI_PLOTS])
def test_multi_objective_plots_draw_a_constrained_study(library: Any, name: str, kwargs: dict[str, Any]) -> None:
    _check_figure(getattr(library, name)(make_multi_objective_study(), **kwargs))


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize(("name", "kwargs"), MULTI_PLOTS, ids=[p[0] for p in MULTI_PLOTS])
def test_multi_objective_plots_draw_empty_studies(library: Any, name: str, kwargs: dict[str, Any]) -> None:
    _check_figure(getattr(library, name)(albacore.create_study(directions=["minimize", "maximize"]), **kwargs))


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize(("name", "kwargs"), PLOTS, ids=[p[0] for p in PLOTS])
@pytest.mark.parametrize("make_study", [albacore.create_study, _one_trial_study], ids=["empty", "one-trial"])
def test_empty_and_one_trial_studies_draw_without_error(
    library: Any, name: str, kwargs: dict[str, Any], make_study: Callable[[], Study], albacore_log: Any
) -> None:
    study = make_study()
    kwargs = {k: v for k, v in kwargs.items() if k != "params"}
    _check_figure(getattr(library, name)(study, **kwargs))
    if not study.trials:
        assert "WARNING" in albacore_log.text


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("name", sorted(TARGETED))
def test_multi_objective_study_needs_a_target(library: Any, name: str) -> None:
    study = make_multi_objective_study()
    with pytest.raises(ValueError, match="target"):
        getattr(library, name)(study)
    _check_figure(getattr(library, name)(study, target=lambda t: t.values[0], target_name="loss"))


def test_plotly_history_names_and_axes(mixed_study: Study) -> None:
    figure = plotly_vis.plot_optimization_history(mixed_study, target_name="Loss")
    assert [t.name for t in figure.data] == ["Loss", "Infeasible Trial", "Best Value"]
    assert figure.layout.title.text == "Optimization History Plot"
    assert figure.layout.xaxis.title.text == "Trial" and figure.layout.yaxis.title.text == "Loss"
    assert list(figure.data[1].x) == [7]
    several = plotly_vis.plot_optimization_history([make_mixed_study(5, seed=1), make_mixed_study(5, seed=2)])
    assert [t.name for t in several.data if t.mode == "lines"] == ["Best Value of mixed-1", "Best Value of mixed-2"]
    with_bars = plotly_vis.plot_optimization_history([mixed_study, make_mixed_study(seed=3)], error_bar=True)
    assert with_bars.data[0].error_y.array is not None


def test_matplotlib_history_labels(mixed_study: Study) -> None:
    ax = mpl_vis.plot_optimization_history(mixed_study, target_name="Loss")
    assert ax.get_ylabel() == "Loss" and ax.get_xlabel() == "Trial"
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["Loss", "Infeasible Trial", "Best Value"]


def test_plotly_slice_axes_follow_the_parameter_kinds(mixed_study: Study) -> None:
    figure = plotly_vis.plot_slice(mixed_study, params=["lr", "batch"], target_name="Loss")
    assert figure.layout.xaxis.type == "log"
    assert list(figure.layout.xaxis2.ticktext) == ["16", "32", "64", "128"]
    assert figure.layout.yaxis.title.text == "Loss"
    assert figure.data[0].marker.colorbar.title.text == "Trial"


def test_matplotlib_slice_returns_one_axes_per_parameter(mixed_study: Study) -> None:
    axes = mpl_vis.plot_slice(mixed_study, params=["lr", "batch"])
    assert [ax.get_xlabel() for ax in axes] == ["lr", "batch"]
    assert axes[0].get_xscale() == "log"
    assert [t.get_text() for t in axes[1].get_xticklabels()] == ["16", "32", "64", "128"]
    assert isinstance(mpl_vis.plot_slice(mixed_study, params=["lr"]), Axes)


def test_edf_axis_titles_in_both_libraries(mixed_study: Study) -> None:
    figure = plotly_vis.plot_edf([mixed_study, make_mixed_study(seed=4)], target_name="Loss")
    assert figure.layout.xaxis.title.text == "Loss"
    assert [t.name for t in figure.data] == ["mixed-0", "mixed-4"]
    assert mpl_vis.plot_edf(mixed_study).get_ylabel() == "Cumulative Probability"


def test_timeline_legend_has_each_state(mixed_study: Study) -> None:
    figure = plotly_vis.plot_timeline(mixed_study)
    assert sorted(t.name for t in figure.data) == ["COMPLETE", "FAIL", "Infeasible", "PRUNED", "RUNNING"]
    ax = mpl_vis.plot_timeline(mixed_study, n_recent_trials=3)
    legend = ax.get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == ["COMPLETE", "RUNNING"]
    with pytest.raises(ValueError):
        plotly_vis.plot_timeline(mixed_study, n_recent_trials=0)


def test_intermediate_values_merge_many_curves_into_few_traces() -> None:
    study = albacore.create_study()
    for i in range(250):
        study.add_trial(create_trial(value=float(i), intermediate_values={0: 1.0, 1: 0.5 + i}))
    figure = plotly_vis.plot_intermediate_values(study)
    assert len(figure.data) == 1 and figure.data[0].name == "Complete"
    small = plotly_vis.plot_intermediate_values(make_mixed_study())
    assert "Trial3" in [t.name for t in small.data]


def test_is_available_in_both_modules() -> None:
    assert plotly_vis.is_available() is True
    assert mpl_vis.is_available() is True


def test_visualization_is_reachable_from_the_top_level_without_importing_plotly() -> None:
    import subprocess
    import sys

    code = (
        "import sys, albacore; v = albacore.visualization; m = v.matplotlib; "
        "print('plotly' in sys.modules, 'matplotlib' in sys.modules, callable(m.plot_slice))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False", "True"]


def test_parallel_coordinate_figures(mixed_study: Study) -> None:
    figure = plotly_vis.plot_parallel_coordinate(mixed_study, params=["lr", "momentum"], target_name="Loss")
    assert figure.layout.xaxis.ticktext == ("Loss", "lr", "momentum")
    colorbar_marker = figure.data[-1].marker
    assert colorbar_marker.colorbar.title.text == "Loss" and colorbar_marker.reversescale is True
    assert colorbar_marker.cmin < colorbar_marker.cmax
    assert [t.name for t in figure.data if t.name in ("Feasible", "Infeasible")] == ["Feasible", "Infeasible"]
    assert sum(1 for t in figure.data if t.line.dash == "dot" and t.showlegend is False) == 1  # trial 7
    ax = mpl_vis.plot_parallel_coordinate(mixed_study, params=["lr", "momentum"], target_name="Loss")
    assert [label.get_text() for label in ax.get_xticklabels()] == ["Loss", "lr", "momentum"]
    assert ax.figure.axes[1].get_ylabel() == "Loss"
    legend = ax.get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == ["Feasible", "Infeasible"]


def test_parallel_coordinate_with_a_constant_objective_still_has_a_colour_range() -> None:
    study = albacore.create_study()
    for x in (0.0, 1.0):
        study.add_trial(create_trial(value=1.0, params={"x": x}, distributions={"x": FloatDistribution(0, 1)}))
    marker = plotly_vis.plot_parallel_coordinate(study).data[-1].marker
    assert marker.cmin < marker.cmax


def test_parallel_coordinate_of_many_trials_groups_lines_into_few_traces() -> None:
    study = make_mixed_study(600)
    figure = plotly_vis.plot_parallel_coordinate(study)
    assert len(figure.data) <= 2 * 32 + 5


def test_contour_figures(mixed_study: Study) -> None:
    figure = plotly_vis.plot_contour(mixed_study, params=["lr", "layers"], target_name="Loss")
    assert figure.data[0].type == "contour" and figure.data[0].colorbar.title.text == "Loss"
    assert figure.layout.yaxis.type == "log" and figure.layout.xaxis.title.text == "layers"
    ax = mpl_vis.plot_contour(mixed_study, params=["lr", "layers"], target_name="Loss")
    assert ax.figure.axes[-1].get_ylabel() == "Loss" and ax.get_yscale() == "log"
    axes = mpl_vis.plot_contour(mixed_study, params=["lr", "layers", "batch"])
    assert axes.shape == (3, 3) and not axes[0][0].axison


def test_rank_figures(mixed_study: Study) -> None:
    figure = plotly_vis.plot_rank(mixed_study, params=["lr", "batch"], target_name="Loss")
    assert figure.layout.title.text == "Rank (Loss)"
    assert figure.data[-1].marker.colorbar.title.text == "Loss"
    ax = mpl_vis.plot_rank(mixed_study, params=["lr", "batch"])
    assert ax.get_xlabel() == "lr" and ax.get_ylabel() == "batch"


def test_pareto_front_figures() -> None:
    study = make_multi_objective_study()
    figure = plotly_vis.plot_pareto_front(study, target_names=["loss", "score"])
    assert [t.name for t in figure.data] == ["Trial", "Best Trial", "Infeasible Trial"]
    assert figure.layout.xaxis.title.text == "loss" and figure.layout.title.text == "Pareto-front Plot"
    best = figure.data[1]
    assert sorted(best.customdata.tolist()) == sorted(t.number for t in study.best_trials)
    three = albacore.create_study(directions=["minimize"] * 3)
    three.add_trial(create_trial(values=[1.0, 2.0, 3.0]))
    three.add_trial(create_trial(values=[2.0, 1.0, 3.0]))
    assert plotly_vis.plot_pareto_front(three).data[0].type == "scatter3d"
    ax = mpl_vis.plot_pareto_front(three)
    assert ax.get_zlabel() == "Objective 2"
    with pytest.raises(ValueError):
        plotly_vis.plot_pareto_front(albacore.create_study())


def test_hypervolume_history_figures() -> None:
    study = make_multi_objective_study()
    figure = plotly_vis.plot_hypervolume_history(study, reference_point=[10.0, -10.0])
    assert figure.layout.yaxis.title.text == "Hypervolume"
    assert list(figure.data[0].x) == list(range(30))
    with pytest.raises(ValueError):
        mpl_vis.plot_hypervolume_history(make_mixed_study(3), reference_point=[1.0])


def test_param_importances_figures() -> None:
    study = make_multi_objective_study()
    figure = plotly_vis.plot_param_importances(study)
    assert [t.name for t in figure.data] == ["Objective Value 0", "Objective Value 1"]
    assert figure.layout.xaxis.title.text == "Hyperparameter Importance"
    ax = mpl_vis.plot_param_importances(study, params=["x"])
    assert len(ax.patches) == 2 and ax.get_xlabel() == "Hyperparameter Importance"
