"""The data records of the parallel coordinate, contour and rank plots, checked on known studies."""

from __future__ import annotations

import math

import numpy as np
import pytest

import albacore
from albacore.distributions import CategoricalDistribution, FloatDistribution
from albacore.study import Study
from albacore.trial import create_trial
from albacore.visualization.data import TrialSet, contour_data, parallel_coordinate_data, rank_data
from albacore.visualization.data._contour import spread_subset
from albacore.visualization.data._parallel import nice_ticks
from albacore.visualization.data._pareto_math import pareto_ranks
from albacore.visualization.data._rank import rank_fractions
from conftest import make_mixed_study, make_multi_objective_study


def _xy_study(points: list[tuple[float, float, float]], direction: str = "minimize") -> Study:
    study = albacore.create_study(direction=direction)
    dist = FloatDistribution(0, 10)
    for x, y, v in points:
        study.add_trial(create_trial(value=v, params={"x": x, "y": y}, distributions={"x": dist, "y": dist}))
    return study


def test_parallel_dimensions_keep_conditional_trials_at_a_none_tick(mixed_study: Study) -> None:
    data = parallel_coordinate_data(TrialSet.of(mixed_study))
    dims = {d.label: d for d in data.dimensions}
    assert data.dimensions[0].label == "Objective Value"
    momentum = dims["momentum"]
    assert momentum.has_missing and momentum.tick_labels[0] == "None" and momentum.tick_positions[0] == 0.0
    trials = {t.number: t for t in mixed_study.trials}
    for number, position in zip(data.trial_numbers, momentum.positions, strict=True):
        if "momentum" in trials[number].params:
            assert position > 0.1
        else:
            assert position == 0.0
    assert len(momentum.positions) == len(data.trial_numbers) == 26  # nobody dropped (optuna#2599)
    assert all(0.0 <= p <= 1.0 for d in data.dimensions for p in d.positions)


def test_parallel_numeric_categoricals_sorted_and_log_ticks_are_powers(mixed_study: Study) -> None:
    dims = {d.label: d for d in parallel_coordinate_data(TrialSet.of(mixed_study)).dimensions}
    assert dims["batch"].tick_labels == ["16", "32", "64", "128"]
    assert dims["batch"].tick_positions == pytest.approx([0.0, 1 / 3, 2 / 3, 1.0])
    assert dims["lr"].is_log and all(label.startswith(("0.0", "1e")) for label in dims["lr"].tick_labels)
    assert dims["layers"].tick_labels == ["1", "2", "3", "4"]


def test_parallel_draw_order_puts_infeasible_first_and_the_best_last(mixed_study: Study) -> None:
    data = parallel_coordinate_data(TrialSet.of(mixed_study))
    assert data.feasible[0] is False and data.trial_numbers[0] == 7
    feasible_colors = [c for c, ok in zip(data.color_values, data.feasible, strict=True) if ok]
    assert feasible_colors == sorted(feasible_colors, reverse=True)
    assert data.reverse_scale and data.has_constraints
    maximized = parallel_coordinate_data(TrialSet.of(_xy_study([(1, 1, 1.0), (2, 2, 3.0), (3, 3, 2.0)], "maximize")))
    assert maximized.color_values == [1.0, 2.0, 3.0] and not maximized.reverse_scale


def test_parallel_multi_objective_colours_by_pareto_rank() -> None:
    study = make_multi_objective_study(constrained=False)
    data = parallel_coordinate_data(TrialSet.of(study))
    assert [d.label for d in data.dimensions][:2] == ["Objective 0", "Objective 1"]
    assert data.is_rank_color and data.colorbar_title == "Pareto Rank"
    best = {t.number for t in study.best_trials}
    ranks = dict(zip(data.trial_numbers, data.color_values, strict=True))
    assert {n for n, r in ranks.items() if r == 0} == best
    study.set_metric_names(["loss", "score"])
    assert [d.label for d in parallel_coordinate_data(TrialSet.of(study)).dimensions][:2] == ["loss", "score"]


def test_parallel_missing_label_does_not_collide_with_a_none_choice() -> None:
    study = albacore.create_study()
    study.add_trial(create_trial(value=0.0))
    dist = CategoricalDistribution([None, "value"])
    study.add_trial(create_trial(value=1.0, params={"p": None}, distributions={"p": dist}))
    (dim,) = parallel_coordinate_data(TrialSet.of(study)).dimensions[1:]
    assert dim.tick_labels == ["None", "None (value)"]


def test_parallel_unknown_param_and_empty_study() -> None:
    with pytest.raises(ValueError, match="does not exist"):
        parallel_coordinate_data(TrialSet.of(make_mixed_study(5)), ["nope"])
    empty = parallel_coordinate_data(TrialSet.of(albacore.create_study()))
    assert empty.trial_numbers == [] and [d.label for d in empty.dimensions] == ["Objective Value"]


def test_nice_ticks_are_round_and_inside() -> None:
    assert nice_ticks(0.013, 0.97) == [0.25, 0.5, 0.75]
    assert nice_ticks(0, 10) == [0, 2.5, 5, 7.5, 10]
    assert nice_ticks(3.0, 3.0) == [3.0]


def test_pareto_ranks_match_a_brute_force_sort() -> None:
    def brute(loss: np.ndarray) -> np.ndarray:
        ranks = np.full(len(loss), -1)
        remaining = set(range(len(loss)))
        rank = 0
        while remaining:
            front = {
                i
                for i in remaining
                if not any(np.all(loss[j] <= loss[i]) and np.any(loss[j] < loss[i]) for j in remaining)
            }
            for i in front:
                ranks[i] = rank
            remaining -= front
            rank += 1
        return ranks

    rng = np.random.default_rng(3)
    for m in (1, 2, 3):
        loss = rng.random((80, m)).round(1)  # rounding makes ties and duplicates
        assert np.array_equal(pareto_ranks(loss), brute(loss))


def test_contour_two_parameters_put_the_first_name_along_x() -> None:
    study = _xy_study([(1, 2, 0.0), (2, 1, 1.0), (3, 3, 2.0), (4, 1, 0.5)])
    data = contour_data(TrialSet.of(study), ["y", "x"])
    (panel,) = data.panels[0]
    assert panel is not None
    assert data.params == ["x", "y"] and panel.x_axis.name == "x" and panel.y_axis.name == "y"
    assert len(panel.grid_x) == 100 and panel.z is not None and len(panel.z) == 100
    z = np.array(panel.z)
    assert z.min() >= 0.0 and z.max() <= 2.0  # interpolation never leaves the range of the trials
    # The node nearest each trial holds its value.
    for x, y, v in [(1, 2, 0.0), (3, 3, 2.0)]:
        ix = int(np.argmin(np.abs(np.array(panel.grid_x) - x)))
        iy = int(np.argmin(np.abs(np.array(panel.grid_y) - y)))
        assert z[iy, ix] == pytest.approx(v, abs=1e-3)
    assert (data.z_min, data.z_max, data.reverse_scale) == (0.0, 2.0, True)


@pytest.mark.parametrize(("direction", "expected"), [("minimize", 0.0), ("maximize", 1.0)])
def test_contour_keeps_the_best_of_overlapping_trials(direction: str, expected: float) -> None:
    study = _xy_study([(1, 1, 0.0), (1, 1, 1.0), (2, 2, 0.5)], direction)
    (panel,) = contour_data(TrialSet.of(study)).panels[0]
    assert panel is not None and panel.z is not None
    z = np.array(panel.z)
    ix = int(np.argmin(np.abs(np.array(panel.grid_x) - 1)))
    assert z[ix, ix] == expected


def test_contour_matrix_is_square_with_an_empty_diagonal_and_transposed_halves(mixed_study: Study) -> None:
    data = contour_data(TrialSet.of(mixed_study), ["lr", "layers", "momentum"])
    assert data.params == ["layers", "lr", "momentum"]
    assert [[p is None for p in row] for row in data.panels] == [
        [True, False, False],
        [False, True, False],
        [False, False, True],
    ]
    upper, lower = data.panels[0][1], data.panels[1][0]
    assert upper is not None and lower is not None and upper.z is not None and lower.z is not None
    assert (upper.x_axis.name, upper.y_axis.name) == ("lr", "layers")
    assert (lower.x_axis.name, lower.y_axis.name) == ("layers", "lr")
    assert np.array_equal(np.array(upper.z), np.array(lower.z).T)
    with_momentum = data.panels[2][0]
    assert with_momentum is not None
    trials = {t.number: t for t in mixed_study.trials}
    assert all("momentum" in trials[n].params for n in with_momentum.trial_numbers)


def test_contour_single_valued_axis_draws_points_only() -> None:
    study = _xy_study([(1, 1, 0.0), (1, 2, 1.0)])
    (panel,) = contour_data(TrialSet.of(study)).panels[0]
    assert panel is not None and panel.z is None and len(panel.x) == 2


def test_contour_needs_two_parameters_and_caps_its_points() -> None:
    assert contour_data(TrialSet.of(_xy_study([(1, 1, 0.0)])), ["x"]).panels == []
    assert spread_subset(10, 20).tolist() == list(range(10))
    picked = spread_subset(1000, 50, keep=333)
    assert len(picked) <= 50 and 333 in picked and picked[0] == 0


def test_contour_of_a_large_matrix_stays_small() -> None:
    rng = np.random.default_rng(0)
    study = albacore.create_study()
    dists = {f"p{k}": FloatDistribution(0, 1) for k in range(8)}
    trials = [
        create_trial(value=float(rng.random()), params={k: float(rng.random()) for k in dists}, distributions=dists)
        for _ in range(3000)
    ]
    study.add_trials(trials)
    data = contour_data(TrialSet.of(study))
    panels = [p for row in data.panels for p in row if p is not None]
    assert len(panels) == 56
    assert sum(len(p.grid_x) * len(p.grid_y) for p in panels) <= 2 * 250_000
    assert sum(len(p.x) for p in panels) <= 2 * 5_000


def test_rank_fractions_average_ties() -> None:
    assert rank_fractions(np.array([6.0, 2.0, 3.0, 2.0, 9.0])).tolist() == [0.75, 0.125, 0.5, 0.125, 1.0]
    assert rank_fractions(np.array([5.0])).tolist() == [0.0]


def test_rank_colours_run_from_blue_to_red_and_infeasible_grey(mixed_study: Study) -> None:
    data = rank_data(TrialSet.of(mixed_study), ["lr", "batch"])
    values = np.array(data.values)
    lowest, highest = int(np.argmin(values)), int(np.argmax(values))
    assert data.colors[lowest] == "rgb(49,54,149)" and data.colors[highest] == "rgb(165,0,38)"
    assert data.colors[data.trial_numbers.index(7)] == "rgb(204,204,204)"
    (panel,) = data.panels[0]
    assert panel is not None and panel.y_axis is not None
    assert (panel.x_axis.name, panel.y_axis.name) == ("lr", "batch")
    assert panel.points[-1] == lowest  # the best is drawn last, on top
    assert data.colorbar_values[0] <= data.colorbar_values[-1]


def test_rank_with_one_parameter_plots_the_value_and_with_many_a_matrix(mixed_study: Study) -> None:
    (panel,) = rank_data(TrialSet.of(mixed_study), ["lr"]).panels[0]
    assert panel is not None and panel.y_axis is None
    assert sorted(panel.y) == sorted(v for v in rank_data(TrialSet.of(mixed_study), ["lr"]).values)
    matrix = rank_data(TrialSet.of(mixed_study), ["lr", "batch", "momentum"]).panels
    assert len(matrix) == 3 and matrix[1][1] is None
    corner = matrix[2][0]
    assert corner is not None and corner.y_axis is not None and corner.y_axis.name == "momentum"
    assert all(not math.isnan(v) for v in corner.y)


def test_rank_multi_objective_needs_target() -> None:
    with pytest.raises(ValueError, match="target"):
        rank_data(TrialSet.of(make_multi_objective_study()))


def test_every_record_is_json_ready(mixed_study: Study) -> None:
    import dataclasses
    import json

    from albacore.visualization.data import (
        hypervolume_history_data,
        param_importances_data,
        pareto_front_data,
    )

    trial_set = TrialSet.of(mixed_study)
    multi = TrialSet.of(make_multi_objective_study())
    records = [
        parallel_coordinate_data(trial_set),
        contour_data(trial_set, ["lr", "layers", "momentum"]),
        rank_data(trial_set, ["lr", "batch", "momentum"]),
        pareto_front_data(multi),
        hypervolume_history_data(multi, [10.0, -10.0]),
        param_importances_data(mixed_study),
    ]
    for record in records:
        assert json.loads(json.dumps(dataclasses.asdict(record), allow_nan=False))
