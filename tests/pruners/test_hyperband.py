from __future__ import annotations

from collections import Counter

import pytest

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.pruners import HyperbandPruner
from albacore.trial import TrialState


def test_brackets_follow_the_hyperband_budget() -> None:
    pruner = HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3)
    assert pruner.n_brackets == 4
    study = albacore.create_study(pruner=pruner, study_name="hb")
    counts = Counter(pruner.bracket_of(study, n) for n in range(4000))
    # Budgets ceil(4 * 27 / 4), ceil(4 * 9 / 3), ceil(4 * 3 / 2), ceil(4 * 1 / 1) = 27, 12, 6, 4 out of 49.
    for bracket, budget in enumerate([27, 12, 6, 4]):
        assert abs(counts[bracket] / 4000 - budget / 49) < 0.03
    again = albacore.create_study(pruner=HyperbandPruner(max_resource=27), study_name="hb2")
    assert [pruner.bracket_of(study, n) for n in range(50)] == [pruner.bracket_of(study, n) for n in range(50)]
    assert [pruner.bracket_of(study, n) for n in range(50)] != [again.pruner.bracket_of(again, n) for n in range(50)]  # type: ignore[attr-defined]


def test_auto_max_resource_is_learned_once_and_shared(run) -> None:
    storage = albacore.storages.InMemoryStorage()
    pruner = HyperbandPruner()
    study = albacore.create_study(storage=storage, pruner=pruner, study_name="s")
    assert not run(study, {5: 100.0})
    assert pruner.n_brackets is None
    study.add_trial(albacore.create_trial(value=1.0, intermediate_values={26: 1.0}))
    assert not run(study, {0: 1.0})
    assert pruner.n_brackets == 4
    assert study.system_attrs["hyperband:max_resource"] == 27
    # Another worker with its own pruner adopts the stored value even after a longer trial completed.
    study.add_trial(albacore.create_trial(value=1.0, intermediate_values={80: 1.0}))
    other = HyperbandPruner()
    assert not run(albacore.load_study(study_name="s", storage=storage, pruner=other), {0: 1.0})
    assert other.n_brackets == 4


def _numbers_by_bracket(pruner: HyperbandPruner, study: albacore.Study, bracket: int, count: int) -> list[int]:
    return [n for n in range(1000) if pruner.bracket_of(study, n) == bracket][:count]


def test_trials_compete_only_within_their_bracket(run) -> None:
    pruner = HyperbandPruner(min_resource=1, max_resource=9, reduction_factor=3)
    study = albacore.create_study(pruner=pruner, study_name="brackets")
    # Trials of bracket 0 (first rung at step 1) are made to land on chosen numbers by filling the rest.
    zero = _numbers_by_bracket(pruner, study, 0, 3)
    others = [n for n in range(zero[2]) if n not in zero]
    assert others, "the test needs a trial of another bracket before the third bracket-0 trial"
    outcomes = {}
    for number in range(zero[2] + 1):
        if number in zero[:2]:
            # Bracket 0's first two trials: one good, then the new one decides below.
            outcomes[number] = run(study, {1: 1.0} if number == zero[0] else {1: 5.0})
        elif number == zero[2]:
            outcomes[number] = run(study, {1: 3.0})
        else:
            # Excellent rung values in other brackets must not count against bracket 0's trials.
            study.add_trial(albacore.create_trial(value=-100.0, system_attrs={"completed_rung_0": -100.0}))
    assert outcomes[zero[0]] is False
    # Two trials at the rung, 2 // 3 = 0 -> the single best goes on.
    assert outcomes[zero[1]] is True
    # Three values 1, 5, 3 -> only the best (1) is promoted; -100 from other brackets is not among them.
    assert outcomes[zero[2]] is True
    states = [t.state for t in study.trials if t.number in zero]
    assert states == [TrialState.FAIL, TrialState.PRUNED, TrialState.PRUNED]


def test_samplers_see_only_their_bracket() -> None:
    pruner = HyperbandPruner(min_resource=1, max_resource=9, reduction_factor=3)
    study = albacore.create_study(pruner=pruner, study_name="view")
    for i in range(30):
        study.add_trial(albacore.create_trial(value=float(i), intermediate_values={8: float(i)}))
    trial = study.ask()
    bracket = pruner.bracket_of(study, trial.number)
    view = pruner._study_for_sampler(study, trial._as_frozen())
    numbers = [t.number for t in view.trials]
    assert numbers and all(pruner.bracket_of(study, n) == bracket for n in numbers)
    assert numbers == [t.number for t in study.trials if pruner.bracket_of(study, t.number) == bracket]
    assert view.best_trial.number == numbers[0]
    assert view.best_value == float(numbers[0])
    assert view.sampler is study.sampler and view.study_name == study.study_name
    with pytest.raises(RuntimeError, match=r"only while Study\.optimize"):
        view.stop()


def test_before_initialisation_samplers_see_the_whole_study() -> None:
    pruner = HyperbandPruner()
    study = albacore.create_study(pruner=pruner)
    trial = study.ask()
    assert pruner._study_for_sampler(study, trial._as_frozen()) is study


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_resource": 0},
        {"max_resource": 0},
        {"max_resource": "big"},
        {"min_resource": 5, "max_resource": 4},
        {"reduction_factor": 1},
        {"bootstrap_count": -1},
        {"bootstrap_count": 1},
        {"bootstrap_count": 2, "max_resource": "auto"},
    ],
)
def test_invalid_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgumentError):
        HyperbandPruner(**kwargs)  # type: ignore[arg-type]
