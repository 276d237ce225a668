from __future__ import annotations

import math
from collections.abc import Callable

import pytest

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.pruners import SuccessiveHalvingPruner


def _rungs(*values: float) -> list[dict[str, float]]:
    return [{"completed_rung_0": v} for v in values]


def _study_with_rung0(make_study: Callable[..., albacore.Study], direction: str, *values: float) -> albacore.Study:
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    return make_study(pruner, [{1: v} for v in values], direction, system_attrs=_rungs(*values))


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_promotes_the_best_fraction_at_a_rung(direction: str, make_study, run) -> None:
    sign = 1.0 if direction == "minimize" else -1.0
    # Three values at rung 0; with the new one there are 4, and the best 4 // 2 = 2 go on.
    study = _study_with_rung0(make_study, direction, sign * 1.0, sign * 2.0, sign * 3.0)
    assert run(study, {0: 0.0, 1: sign * 2.5})
    assert not run(study, {0: 0.0, 1: sign * 1.5})
    # The decisions are recorded where other workers see them, also for pruned trials.
    assert [t.system_attrs["completed_rung_0"] for t in study.trials[3:]] == [sign * 2.5, sign * 1.5]


def test_no_pruning_before_the_first_rung(make_study, run) -> None:
    study = _study_with_rung0(make_study, "minimize", 1.0, 2.0, 3.0)
    assert not run(study, {0: 100.0})


def test_first_trial_at_a_rung_is_promoted(make_study, run) -> None:
    study = make_study(SuccessiveHalvingPruner(min_resource=1, reduction_factor=2))
    assert not run(study, {1: 100.0, 2: 100.0, 4: 100.0})


def test_running_trials_compete_without_waiting(make_study) -> None:
    study = make_study(SuccessiveHalvingPruner(min_resource=1, reduction_factor=2))
    first, second = study.ask(), study.ask()
    first.report(1.0, 1)
    assert not first.should_prune()
    second.report(5.0, 1)
    # Only two trials reached the rung, both still running: the better one is promoted, the other pruned.
    assert second.should_prune()


def test_skipped_steps_climb_several_rungs_at_once(make_study) -> None:
    study = _study_with_rung0(make_study, "minimize", 1.0, 2.0, 3.0)
    trial = study.ask()
    trial.report(0.5, 0)
    trial.report(0.5, 5)
    assert not trial.should_prune()
    stored = study._storage.get_trial(trial._trial_id).system_attrs
    assert {k: stored[k] for k in stored if k.startswith("completed_rung")} == {
        "completed_rung_0": 0.5,
        "completed_rung_1": 0.5,
        "completed_rung_2": 0.5,
    }
    assert "completed_rung_2" in trial.system_attrs
    # Next rung (step 8) not reached yet: later reports do not re-record lower rungs.
    trial.report(100.0, 6)
    assert not trial.should_prune()
    assert study._storage.get_trial(trial._trial_id).system_attrs["completed_rung_0"] == 0.5


def test_nan_at_a_rung_is_pruned(make_study, run) -> None:
    study = make_study(SuccessiveHalvingPruner(min_resource=1))
    assert not run(study, {0: math.nan})
    assert run(study, {1: math.nan})


def test_bootstrap_count(make_study, run) -> None:
    study = make_study(SuccessiveHalvingPruner(min_resource=1, reduction_factor=2, bootstrap_count=2))
    assert run(study, {1: 1.0})
    assert run(study, {1: 1.0})
    assert not run(study, {1: 1.0})


def test_min_early_stopping_rate(make_study, run) -> None:
    pruner = SuccessiveHalvingPruner(min_resource=2, reduction_factor=2, min_early_stopping_rate=1)
    study = make_study(pruner, [{4: 1.0}], system_attrs=_rungs(1.0))
    assert not run(study, {3: 9.0})
    assert run(study, {4: 9.0})


def test_auto_min_resource(make_study, run) -> None:
    assert not run(make_study(SuccessiveHalvingPruner(reduction_factor=2)), {1: 5.0})
    # The longest completed trial ran to step 299: the first rung is at 299 // 100 = 2.
    study = make_study(SuccessiveHalvingPruner(reduction_factor=2), [{299: 1.0}])
    study.add_trial(albacore.create_trial(value=1.0, system_attrs={"completed_rung_0": 1.0}))
    assert not run(study, {1: 5.0})
    assert run(study, {2: 5.0})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_resource": 0},
        {"min_resource": "never"},
        {"reduction_factor": 1},
        {"min_early_stopping_rate": -1},
        {"bootstrap_count": -1},
        {"bootstrap_count": 1},
    ],
)
def test_invalid_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgumentError):
        SuccessiveHalvingPruner(**kwargs)  # type: ignore[arg-type]
