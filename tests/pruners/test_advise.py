"""The pruning advisor: replays of recorded learning curves, the recommendation, its limits, plot and command."""

from __future__ import annotations

import importlib.util
import math

import pytest

import albacore
from albacore.exceptions import InvalidArgumentError, InvalidArgumentTypeError
from albacore.pruners import BasePruner, MedianPruner, NopPruner, ThresholdPruner
from albacore.trial import FrozenTrial, TrialState, create_trial


def _study(curves: list[list[float]], *, pruned: set[int] = frozenset()) -> albacore.Study:  # type: ignore[assignment]
    study = albacore.create_study(direction="maximize", study_name="curves")
    for number, curve in enumerate(curves):
        reports = dict(enumerate(curve))
        if number in pruned:
            study.add_trial(create_trial(state=TrialState.PRUNED, intermediate_values=reports))
        else:
            study.add_trial(create_trial(value=curve[-1], intermediate_values=reports))
    return study


def _steady(n: int, steps: int = 10) -> list[list[float]]:
    """Curves that keep their order at every step, each rising to a level in (0, 1], in a mixed order."""
    levels = [(i * 7 % n + 1) / n for i in range(n)]
    return [[level * (1 - math.exp(-(s + 1) / 3)) for s in range(steps)] for level in levels]


def test_a_replay_counts_steps_and_stopped_top_trials_exactly() -> None:
    study = _study([[0.2, 0.3, 0.4], [0.6, 0.7, 0.8], [0.1, 0.6, 0.9], [0.7, 0.75, 0.76]])
    advice = albacore.pruners.advise(study, candidates=[ThresholdPruner(lower=0.5)], top_fraction=0.5)
    result, baseline = advice.replays  # the study's own pruner (MedianPruner()) is added as the baseline
    assert baseline is advice.baseline and baseline.code == "MedianPruner()"
    # Trials 0 and 2 are below 0.5 at step 0: each spends one step of three. Trial 2 is the best.
    assert (result.steps_spent, result.steps_recorded) == (8, 12)
    assert result.saved_share == pytest.approx(1 / 3)
    assert result.stopped == (0, 2)
    assert not result.best_survived and result.top_killed == 1
    assert result.code == "ThresholdPruner(lower=0.5)"
    assert advice.recommended is None and advice.code == "pruner=albacore.pruners.NopPruner()"


def test_the_recommendation_saves_most_while_keeping_the_best_everywhere() -> None:
    # Late bloomers: the best trials start worst, so pruning without a warm-up stops them.
    curves = _steady(20, steps=8)
    for i in (18, 19):
        curves[i] = [0.05 * s if s < 3 else 0.9 + 0.01 * i for s in range(8)]
    advice = albacore.pruners.advise(study := _study(curves))
    assert advice.n_complete == 20 and not advice.weak and advice.n_top == 2
    assert advice.n_checks == 4  # at least the five best trials are each checked as the best of a sub-history
    chosen = advice.recommended
    assert chosen is not None and chosen.best_survived and chosen.stable and chosen.checks == 4
    # No more top trials stopped than the baseline (MedianPruner(), which stops the late bloomers: none kept).
    assert advice.baseline is not None and not advice.baseline.best_survived
    assert chosen.top_killed == 0
    # Every setting that saves more lost the best here, stops a top trial, or failed a sub-history.
    for r in advice.replays:
        if r.saved_share > chosen.saved_share:
            assert not r.best_survived or r.top_killed > 0 or (r.checks and not r.stable)
    assert any(r.top_killed > 0 for r in advice.replays)  # the trap is real: some settings fall in
    # The printed line builds the setting that was replayed.
    pruner = eval(advice.code.removeprefix("pruner="), {"albacore": albacore})
    again = albacore.pruners.advise(study, candidates=[pruner])
    assert again.replays[0].saved_share == pytest.approx(chosen.saved_share)
    text = str(advice)
    assert advice.code in text and "<- recommended" in text


def test_few_curves_make_weak_advice_and_cut_curves_are_counted() -> None:
    advice = albacore.pruners.advise(_study(_steady(6), pruned={0, 1}), candidates=[NopPruner(), MedianPruner()])
    assert (advice.n_complete, advice.n_cut, advice.weak) == (4, 2, True)
    assert any("weak" in note for note in advice.notes)
    assert any("2 trials were pruned" in note for note in advice.notes)
    assert advice.replays[0].unknown == 2  # NopPruner would have let both pruned trials go on


def test_bad_studies_and_arguments_are_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="no completed trial with intermediate values"):
        albacore.pruners.advise(albacore.create_study())
    with pytest.raises(InvalidArgumentError, match="single-objective"):
        albacore.pruners.advise(albacore.create_study(directions=["minimize", "minimize"]))
    study = _study(_steady(3))
    with pytest.raises(InvalidArgumentError, match="top_fraction"):
        albacore.pruners.advise(study, top_fraction=0)
    with pytest.raises(InvalidArgumentTypeError, match="sequence of pruner objects"):
        albacore.pruners.advise(study, candidates=MedianPruner())  # type: ignore[arg-type]


@pytest.mark.skipif(importlib.util.find_spec("plotly") is None, reason="plotly is not installed")
def test_the_plotly_trade_off_marks_the_recommendation() -> None:
    curves = _steady(24)
    advice = albacore.pruners.advise(_study(curves), candidates=[NopPruner(), MedianPruner(n_warmup_steps=2)])
    figure = albacore.visualization.plot_pruning_advice(advice)
    names = [trace.name for trace in figure.data]
    assert names == ["NopPruner", "MedianPruner", "recommended"]
    # The baseline (MedianPruner(), the study's pruner) is replayed too, and on steady curves it wins.
    assert advice.recommended is advice.baseline
    assert list(figure.data[-1].text) == ["MedianPruner()"]


def test_a_cut_curve_that_a_laxer_setting_lets_go_on_is_charged_in_full() -> None:
    study = _study([[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8], [0.2], [0.3, 0.5, 0.6, 0.9]], pruned={2})
    advice = albacore.pruners.advise(study, candidates=[NopPruner(), ThresholdPruner(lower=0.25)])
    lax, strict, _baseline = advice.replays
    # Without pruning, trial 2 would have run a full curve (4 steps, the median complete length).
    assert (lax.steps_spent, lax.steps_recorded, lax.unknown) == (16, 16, 1)
    # The threshold stops trial 0 at its first step and trial 2 where it was cut: no charge, nothing unknown.
    assert (strict.steps_spent, strict.unknown, strict.stopped) == (10, 0, (0,))


def test_a_tie_with_the_best_value_keeps_the_best() -> None:
    # Trials 1 and 3 tie for the best final value; the threshold stops trial 1 only.
    study = _study([[0.2, 0.3], [0.4, 0.9], [0.5, 0.6], [0.6, 0.9]])
    advice = albacore.pruners.advise(study, candidates=[ThresholdPruner(lower=0.45)], top_fraction=0.5)
    threshold = advice.replays[0]
    assert 1 in threshold.stopped and 3 not in threshold.stopped
    assert threshold.best_survived and threshold.top_killed == 1


class _FirstComerPruner(BasePruner):
    """Stops a trial whose first report is below 0.5, unless it is the first trial of the study."""

    def prune(self, study: albacore.Study, trial: FrozenTrial) -> bool:
        first = study.get_trials(deepcopy=False)[0].number
        return trial.number != first and trial.last_step == 0 and trial.intermediate_values[0] < 0.5


def test_a_setting_that_keeps_the_best_only_by_the_order_of_the_trials_is_refused() -> None:
    # The second-best trial starts at 0 and runs first: in the study's order the pruner spares it, in a
    # sub-history without the best trial (another order) it is the best and the pruner stops it at once.
    late = [0.0, 0.0, 0.0, 0.0, 0.0, 1.4]
    best = [0.6, 0.8, 1.0, 1.2, 1.4, 1.5]
    study = _study([late, best, *_steady(28, steps=6)])
    advice = albacore.pruners.advise(study, candidates=[_FirstComerPruner()], top_fraction=0.02)
    lucky = advice.replays[0]
    assert lucky.best_survived and lucky.top_killed == 0 and lucky.saved_share > 0.5
    assert lucky.checks == 1 and lucky.checks_kept == 0 and not lucky.stable  # failed the first sub-history
    assert advice.recommended is not lucky


def test_the_baseline_is_the_study_pruner_and_the_advice_says_why_it_spends_more() -> None:
    curves = _steady(24, steps=8)
    study = albacore.create_study(direction="maximize", pruner=MedianPruner(n_startup_trials=2))
    for curve in curves:
        study.add_trial(create_trial(value=curve[-1], intermediate_values=dict(enumerate(curve))))
    advice = albacore.pruners.advise(study, candidates=[NopPruner(), MedianPruner(n_warmup_steps=4)])
    assert advice.baseline is not None and advice.baseline.code == "MedianPruner(n_startup_trials=2)"
    assert advice.baseline is advice.replays[-1]
    assert "baseline" in str(advice)
    # Steady curves keep their order: the baseline keeps every trial that matters and saves the most.
    assert advice.recommended is advice.baseline
    assert any("keep it" in note for note in advice.notes)


def test_weak_advice_keeps_the_baseline_and_names_the_alternative() -> None:
    curves = _steady(12, steps=8)
    study = _study(curves)  # MedianPruner() by default: the baseline
    advice = albacore.pruners.advise(study, candidates=[MedianPruner(n_startup_trials=2), MedianPruner()])
    assert advice.weak and advice.baseline is not None
    saver = advice.replays[0]
    assert saver.saved_share > advice.baseline.saved_share and saver.stable
    assert advice.recommended is advice.baseline
    assert any("with this few complete curves the baseline is kept" in note for note in advice.notes)
