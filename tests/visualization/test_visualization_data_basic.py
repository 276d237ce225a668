"""The data records of the history, intermediate values, EDF, slice and timeline plots, checked on known studies."""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
from typing import Any
from unittest import mock

import numpy as np
import pytest

import albacore
from albacore.distributions import CategoricalDistribution, FloatDistribution
from albacore.study import Study
from albacore.trial import TrialState, create_trial
from albacore.visualization.data import (
    TrialSet,
    edf_data,
    intermediate_values_data,
    optimization_history_data,
    slice_data,
    timeline_data,
)
from conftest import make_mixed_study, make_multi_objective_study


def _study(values: list[float], direction: str = "minimize", name: str | None = None) -> Study:
    study = albacore.create_study(direction=direction, study_name=name)
    for v in values:
        study.add_trial(create_trial(value=v, params={"x": v}, distributions={"x": FloatDistribution(-10, 10)}))
    return study


@pytest.mark.parametrize(("direction", "best"), [("minimize", [1.0, 1.0, 0.0]), ("maximize", [1.0, 2.0, 2.0])])
def test_history_values_and_best_so_far(direction: str, best: list[float]) -> None:
    data = optimization_history_data([TrialSet.of(_study([1.0, 2.0, 0.0], direction))])
    (line,) = data.lines
    assert line.trial_numbers == [0, 1, 2]
    assert line.values == [1.0, 2.0, 0.0]
    assert line.best_values == best
    assert (line.label, line.best_label) == ("Objective Value", "Best Value")


def test_history_leaves_out_pruned_failed_running_and_infinite_trials_and_skips_infeasible_in_best(
    mixed_study: Study,
) -> None:
    (line,) = optimization_history_data([TrialSet.of(mixed_study)]).lines
    assert 3 not in line.trial_numbers and 5 not in line.trial_numbers and 9 not in line.trial_numbers
    assert 29 not in line.trial_numbers
    infeasible = [n for n, ok in zip(line.trial_numbers, line.feasible, strict=True) if not ok]
    assert infeasible == [7]
    feasible_values = [v for v, ok in zip(line.values, line.feasible, strict=True) if ok]
    assert line.best_values is not None
    assert line.best_values[-1] == min(feasible_values)
    assert all(
        a is not None and b is not None and b <= a for a, b in zip(line.best_values, line.best_values[1:], strict=False)
    )


def test_history_of_infeasible_first_trial_has_no_best_yet() -> None:
    study = albacore.create_study()
    study.add_trial(create_trial(value=0.0, constraints={"c": 1.0}))
    study.add_trial(create_trial(value=5.0, constraints={"c": -1.0}))
    (line,) = optimization_history_data([TrialSet.of(study)]).lines
    assert line.best_values == [None, 5.0]


def test_history_with_custom_target_has_no_best_line() -> None:
    study = _study([1.0, 2.0])
    (line,) = optimization_history_data([TrialSet.of(study)], target=lambda t: t.number, target_name="n").lines
    assert line.values == [0.0, 1.0]
    assert line.best_values is None and line.best_label is None


def test_history_of_several_studies_names_each_line() -> None:
    studies = [_study([1.0, 2.0], name="a"), _study([3.0], name="b")]
    data = optimization_history_data([TrialSet.of(s) for s in studies], target_name="Loss")
    assert [(line.label, line.best_label) for line in data.lines] == [
        ("Loss of a", "Best Value of a"),
        ("Loss of b", "Best Value of b"),
    ]


def test_history_error_bar_is_mean_and_std_over_studies_at_each_trial_number() -> None:
    studies = [_study([1.0, 4.0]), _study([3.0]), _study([2.0, 0.0])]
    (line,) = optimization_history_data([TrialSet.of(s) for s in studies], error_bar=True).lines
    assert line.trial_numbers == [0, 1]
    assert line.values == pytest.approx([2.0, 2.0])
    assert line.value_errors == pytest.approx([np.std([1, 3, 2]), np.std([4, 0])])
    # Study b has no trial 1: its best (3.0) carries over.
    assert line.best_values == pytest.approx([2.0, (1.0 + 3.0 + 0.0) / 3])


def test_history_of_empty_and_failed_studies_has_no_lines() -> None:
    study = albacore.create_study()
    assert optimization_history_data([TrialSet.of(study)]).lines == []
    study.add_trial(create_trial(state=TrialState.FAIL))
    assert optimization_history_data([TrialSet.of(study)]).lines == []
    assert optimization_history_data([]).lines == []


def test_multi_objective_needs_a_target_and_a_custom_target_wants_a_name() -> None:
    study = make_multi_objective_study()
    with pytest.raises(ValueError, match="target"):
        optimization_history_data([TrialSet.of(study)])
    with pytest.warns(UserWarning, match="target_name"):
        optimization_history_data([TrialSet.of(study)], target=lambda t: t.values[0])
    data = optimization_history_data([TrialSet.of(study)], target=lambda t: t.values[1], target_name="score")
    assert len(data.lines[0].values) == 30


def test_a_target_that_returns_no_number_is_refused() -> None:
    with pytest.raises(ValueError, match="must return a number"):
        optimization_history_data([TrialSet.of(_study([1.0]))], target=lambda t: "x", target_name="bad")  # type: ignore[arg-type,return-value]


def test_records_are_json_ready(mixed_study: Study) -> None:
    trial_set = TrialSet.of(mixed_study)
    for record in [
        optimization_history_data([trial_set]),
        intermediate_values_data(trial_set),
        edf_data([trial_set]),
        slice_data(trial_set),
        timeline_data(trial_set),
    ]:
        text = json.dumps(dataclasses.asdict(record), allow_nan=False)
        assert json.loads(text)


def test_intermediate_values_keep_pruned_and_running_trials_and_drop_failed(mixed_study: Study) -> None:
    curves = {c.trial_number: c for c in intermediate_values_data(TrialSet.of(mixed_study)).curves}
    assert 5 not in curves
    assert curves[3].state == "PRUNED" and curves[3].steps == [0, 1]
    assert curves[29].state == "RUNNING" and curves[29].values == [2.0]
    assert curves[0].steps == [0, 1, 2, 3, 4]
    assert not curves[7].feasible and curves[0].feasible


def test_intermediate_values_sorts_steps_and_turns_nan_into_none() -> None:
    study = albacore.create_study()
    study.add_trial(create_trial(value=0.0, intermediate_values={2: 0.5, 0: float("nan"), 1: 1.0}))
    study.add_trial(create_trial(value=0.0))
    (curve,) = intermediate_values_data(TrialSet.of(study)).curves
    assert curve.steps == [0, 1, 2]
    assert curve.values == [None, 1.0, 0.5]


def test_edf_is_the_share_of_values_at_or_below_x() -> None:
    data = edf_data([TrialSet.of(_study([0.0, 1.0, 2.0, 3.0], name="a")), TrialSet.of(_study([3.0], name="b"))])
    assert data.x_values[0] == 0.0 and data.x_values[-1] == 3.0 and len(data.x_values) == 100
    a, b = data.lines
    assert (a.study_name, b.study_name) == ("a", "b")
    assert a.y_values[0] == 0.25 and a.y_values[-1] == 1.0
    assert b.y_values[:-1] == [0.0] * 99 and b.y_values[-1] == 1.0
    assert all(p <= q for p, q in zip(a.y_values, a.y_values[1:], strict=False))


def test_edf_skips_non_finite_values_and_empty_studies(mixed_study: Study) -> None:
    data = edf_data([TrialSet.of(mixed_study), TrialSet.of(albacore.create_study())])
    assert len(data.lines) == 1
    assert all(math.isfinite(x) for x in data.x_values)


def test_slice_places_each_parameter_kind(mixed_study: Study) -> None:
    subplots = {s.axis.name: s for s in slice_data(TrialSet.of(mixed_study)).subplots}
    assert list(subplots) == sorted(subplots)
    batch, code, lr, momentum = subplots["batch"], subplots["code"], subplots["lr"], subplots["momentum"]
    # Numeric choices are sorted by value (optuna#2455) and labelled as the user wrote them (optuna#2242).
    assert batch.axis.is_categorical and batch.axis.tick_labels == ["16", "32", "64", "128"]
    # Numeric-looking strings stay strings, in the order the distribution lists them.
    assert code.axis.tick_labels == ["10", "2", "1"]
    assert subplots["norm"].axis.tick_labels == ["None", "batch"]
    assert lr.axis.is_log and not lr.axis.is_categorical
    assert subplots["layers"].axis.is_int and subplots["layers"].axis.tick_labels == ["1", "2", "3", "4"]
    # The conditional parameter appears only for the trials that have it.
    trials = {t.number: t for t in mixed_study.trials}
    assert momentum.trial_numbers == [n for n in lr.trial_numbers if trials[n].params["optimizer"] == "sgd"]
    assert momentum.axis.has_missing
    for x, n in zip(batch.x, batch.trial_numbers, strict=True):
        assert batch.axis.tick_labels[int(x)] == str(trials[n].params["batch"])


def test_slice_params_order_and_unknown_parameter(mixed_study: Study) -> None:
    data = slice_data(TrialSet.of(mixed_study), ["lr", "batch"])
    assert [s.axis.name for s in data.subplots] == ["lr", "batch"]
    with pytest.raises(ValueError, match="does not exist"):
        slice_data(TrialSet.of(mixed_study), ["nope"])
    assert slice_data(TrialSet.of(albacore.create_study()), ["nope"]).subplots == []


def test_slice_merges_distributions_of_a_dynamic_search_space() -> None:
    study = albacore.create_study()
    # Storages refuse a change of scale now; a study written before they did may still hold one.
    with mock.patch("albacore.storages._in_memory.check_distribution_compatibility"):
        study.add_trial(create_trial(value=0.0, params={"x": 0.5}, distributions={"x": FloatDistribution(0, 1)}))
        dist = FloatDistribution(1, 10, log=True)
        study.add_trial(create_trial(value=1.0, params={"x": 8.0}, distributions={"x": dist}))
    (sub,) = slice_data(TrialSet.of(study)).subplots
    assert sub.axis.is_log and (sub.axis.low, sub.axis.high) == (0.5, 8.0) and sub.x == [0.5, 8.0]


def test_categorical_labels_keep_float_and_int_choices_apart() -> None:
    study = albacore.create_study()
    dist = CategoricalDistribution([2, 2.0, 1])
    for choice in (2, 2.0, 1):
        study.add_trial(create_trial(value=0.0, params={"c": choice}, distributions={"c": dist}))
    (sub,) = slice_data(TrialSet.of(study)).subplots
    assert sub.axis.tick_labels == ["1", "2", "2.0"]
    assert sub.x == [1.0, 2.0, 0.0]


def test_timeline_spans_states_and_recent_trials(mixed_study: Study) -> None:
    data = timeline_data(TrialSet.of(mixed_study))
    assert [b.number for b in data.bars] == list(range(30))
    assert data.bars[5].state == "FAIL" and data.bars[3].state == "PRUNED" and data.bars[29].state == "RUNNING"
    assert data.bars[7].infeasible and not data.bars[0].infeasible
    start, end = (
        datetime.datetime.fromisoformat(data.bars[0].start),
        datetime.datetime.fromisoformat(data.bars[0].complete),
    )
    assert (end - start).total_seconds() == 5.0
    running = data.bars[29]
    assert datetime.datetime.fromisoformat(running.complete) >= datetime.datetime.fromisoformat(running.start)
    assert [b.number for b in timeline_data(TrialSet.of(mixed_study), n_recent_trials=2).bars] == [28, 29]
    assert len(timeline_data(TrialSet.of(mixed_study), n_recent_trials=100).bars) == 30


@pytest.mark.parametrize("n", [0, -1])
def test_timeline_refuses_a_non_positive_count(n: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        timeline_data(TrialSet.of(make_mixed_study(3)), n_recent_trials=n)


def test_timeline_warns_about_a_trial_that_ends_before_it_starts(albacore_log: Any) -> None:
    study = albacore.create_study()
    trial = create_trial(value=0.0)
    assert trial.datetime_start is not None
    trial.datetime_complete = trial.datetime_start - datetime.timedelta(seconds=1)
    study.add_trial(trial)
    (bar,) = timeline_data(TrialSet.of(study)).bars
    assert bar.complete < bar.start
    assert "end before they start" in albacore_log.text
