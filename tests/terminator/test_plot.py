"""plot_terminator_improvement in both backends, and its data: empty, one-trial, failed-first and normal studies,
with and without the error line."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from io import BytesIO
from typing import Any

import pytest

import albacore
from albacore.distributions import FloatDistribution
from albacore.study import Study
from albacore.terminator import (
    BestValueStagnationEvaluator,
    CrossValidationErrorEvaluator,
    RegretBoundEvaluator,
    StaticErrorEvaluator,
    report_cross_validation_scores,
)
from albacore.trial import TrialState, create_trial
from albacore.visualization.data import TrialSet, terminator_improvement_data

go = pytest.importorskip("plotly.graph_objects")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend is chosen first

import albacore.visualization as plotly_vis  # noqa: E402
import albacore.visualization.matplotlib as mpl_vis  # noqa: E402

LIBRARIES = [pytest.param(plotly_vis, id="plotly"), pytest.param(mpl_vis, id="matplotlib")]


@pytest.fixture(autouse=True)
def _validate_and_close(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr("albacore.visualization._plotly.VALIDATE", True)
    yield
    plt.close("all")


def _empty() -> Study:
    return albacore.create_study()


def _failed_only() -> Study:
    study = albacore.create_study()
    study.add_trial(create_trial(state=TrialState.FAIL))
    return study


def _one_trial() -> Study:
    study = albacore.create_study()
    study.add_trial(create_trial(value=1.0, params={"x": 0.5}, distributions={"x": FloatDistribution(0, 1)}))
    return study


def _with_scores(n: int = 25) -> Study:
    study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
    for _ in range(2):
        study.add_trial(create_trial(state=TrialState.FAIL))

    def objective(trial: albacore.Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        report_cross_validation_scores(trial, [x**2 - 0.1, x**2 + 0.1, x**2])
        return x**2

    study.optimize(objective, n_trials=n)
    return study


def _draw(figure: Any) -> None:
    if isinstance(figure, go.Figure):
        figure.to_json()
    else:
        figure.figure.savefig(BytesIO())


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("make_study", [_empty, _failed_only, _one_trial, _with_scores])
@pytest.mark.parametrize("plot_error", [False, True])
def test_draws_every_kind_of_study(library: Any, make_study: Callable[[], Study], plot_error: bool) -> None:
    study = make_study()
    if plot_error and make_study is _one_trial:
        pytest.skip("a trial without reported scores has no cross-validation error (tested below)")
    _draw(library.plot_terminator_improvement(study, plot_error))


@pytest.mark.parametrize("library", LIBRARIES)
def test_draws_the_error_line_and_a_faint_start(library: Any) -> None:
    figure = library.plot_terminator_improvement(
        _with_scores(), plot_error=True, improvement_evaluator=RegretBoundEvaluator(seed=0), min_n_trials=10
    )
    if isinstance(figure, go.Figure):
        names = [trace.name for trace in figure.data]
        assert names == ["Terminator Improvement", "Terminator Improvement", "Error"]
        assert figure.data[0].opacity < 1.0 and figure.data[0].showlegend is False
        assert figure.layout.title.text == "Terminator Improvement Plot"
    else:
        assert [line.get_label() for line in figure.get_lines()][1:] == ["Terminator Improvement", "Error"]
        assert figure.get_title() == "Terminator Improvement Plot"


def test_the_data_has_one_point_per_trial_from_the_first_completed_one() -> None:
    study = _with_scores(5)
    study.add_trial(create_trial(state=TrialState.FAIL))
    data = terminator_improvement_data(
        TrialSet.of(study), plot_error=True, improvement_evaluator=RegretBoundEvaluator(seed=0)
    )
    assert data.trial_numbers == [2, 3, 4, 5, 6, 7]  # two failed trials first, one failed trial last
    assert data.improvements[-1] == pytest.approx(data.improvements[-2], rel=1e-3)  # a failed trial adds nothing
    assert data.errors is not None and len(data.errors) == 6
    assert data.y_range is not None and data.y_range[0] < data.y_range[1]
    json.dumps(dataclasses.asdict(data))


@pytest.mark.parametrize(
    ("evaluator", "error_evaluator", "error"),
    [
        (BestValueStagnationEvaluator(), None, 0.0),  # the terminator's default for stagnation
        (None, StaticErrorEvaluator(0.25), 0.25),
        (None, CrossValidationErrorEvaluator(), None),
    ],
)
def test_error_evaluators_default_as_the_terminators_do(
    evaluator: Any, error_evaluator: Any, error: float | None
) -> None:
    data = terminator_improvement_data(
        TrialSet.of(_with_scores(3)), plot_error=True, improvement_evaluator=evaluator, error_evaluator=error_evaluator
    )
    assert data.errors is not None and len(data.errors) == 3
    assert len(set(data.errors)) == 1  # the best trial (the same error) is trial 2, the first completed one
    if error is not None:
        assert data.errors == [error] * 3


def test_no_error_without_plot_error_and_nothing_for_an_empty_study() -> None:
    assert terminator_improvement_data(TrialSet.of(_with_scores(3))).errors is None
    empty = terminator_improvement_data(TrialSet.of(_failed_only()), plot_error=True)
    assert (empty.trial_numbers, empty.improvements, empty.errors, empty.y_range) == ([], [], None, None)


@pytest.mark.parametrize("library", LIBRARIES)
def test_a_study_with_several_objectives_is_refused(library: Any) -> None:
    with pytest.raises(ValueError, match="one objective"):
        library.plot_terminator_improvement(albacore.create_study(directions=["minimize", "minimize"]))
