"""Intersection search space and group decomposition."""

from __future__ import annotations

import pytest

import albacore
from albacore.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.samplers import IntersectionSearchSpace, intersection_search_space
from albacore.samplers._search_space import StudyFollowingIntersection
from albacore.search_space import GroupDecomposedSearchSpace, SearchSpaceGroup
from albacore.trial import TrialState

X = FloatDistribution(0.0, 1.0)
N = IntDistribution(1, 5)
C = CategoricalDistribution(["a", "b"])


def _trial(state: TrialState = TrialState.COMPLETE, **dists):
    params = {name: (d.choices[0] if isinstance(d, CategoricalDistribution) else d.low) for name, d in dists.items()}
    value = 1.0 if state == TrialState.COMPLETE else None
    return albacore.create_trial(state=state, value=value, params=params, distributions=dists)


def test_intersection_keeps_parameters_present_everywhere_with_one_distribution() -> None:
    trials = [_trial(x=X, n=N, c=C), _trial(x=X, n=N), _trial(x=X, n=IntDistribution(1, 6))]
    assert intersection_search_space(trials) == {"x": X}
    assert list(intersection_search_space(trials[:2])) == ["n", "x"]


def test_intersection_counts_pruned_trials_only_when_asked() -> None:
    trials = [_trial(x=X, n=N), _trial(TrialState.PRUNED, x=X)]
    assert intersection_search_space(trials) == {"n": N, "x": X}
    assert intersection_search_space(trials, include_pruned=True) == {"x": X}


def test_intersection_calculator_is_incremental_and_ignores_running_trials() -> None:
    study = albacore.create_study()
    calc = IntersectionSearchSpace()
    assert calc.calculate(study) == {}
    study.add_trial(_trial(x=X, n=N))
    running = study.ask()
    running.suggest_float("y", 0, 1)
    assert calc.calculate(study) == {"n": N, "x": X}
    study.add_trial(_trial(x=X))
    assert calc.calculate(study) == {"x": X}
    study.tell(running, 1.0)  # finishes late, after a later trial was read; it has no x
    assert calc.calculate(study) == {}


@pytest.mark.parametrize("calculator", [IntersectionSearchSpace, GroupDecomposedSearchSpace])
def test_a_public_calculator_serves_one_study(calculator: type) -> None:
    storage = albacore.storages.InMemoryStorage()
    first, other = albacore.create_study(storage=storage), albacore.create_study(storage=storage)
    calc = calculator()
    calc.calculate(first)
    calc.calculate(albacore.load_study(study_name=first.study_name, storage=storage))  # the same study
    with pytest.raises(ValueError, match=f"create one {calculator.__name__} per study"):
        calc.calculate(other)


def test_samplers_follow_the_study_they_are_given() -> None:
    calc = StudyFollowingIntersection()
    first = albacore.create_study()
    first.add_trial(_trial(x=X))
    assert calc.calculate(first) == {"x": X}
    other = albacore.create_study()
    other.add_trial(_trial(c=C))
    assert calc.calculate(other) == {"c": C}
    # A sampler reused for a second study (a common loop) samples it jointly as well.
    sampler = albacore.samplers.TPESampler(seed=0, n_startup_trials=2)
    for name in ("a", "b"):
        study = albacore.create_study(sampler=sampler)
        study.optimize(lambda t, name=name: t.suggest_float(name, 0, 1), n_trials=3)
        assert set(sampler.infer_relative_search_space(study, study.trials[-1])) == {name}


def test_groups_split_into_parameters_that_always_appear_together() -> None:
    group = SearchSpaceGroup()
    group.add_distributions({"kind": C, "alpha": X})
    group.add_distributions({"kind": C, "depth": N, "width": X})
    group.add_distributions({"kind": C, "alpha": X})
    assert group.search_spaces == [{"kind": C}, {"alpha": X}, {"depth": N, "width": X}]


def test_groups_drop_parameters_whose_distribution_changes() -> None:
    group = SearchSpaceGroup()
    group.add_distributions({"x": X, "n": N})
    group.add_distributions({"x": X, "n": IntDistribution(1, 9)})
    assert group.search_spaces == [{"x": X}]


def test_group_decomposition_of_a_study() -> None:
    study = albacore.create_study()
    study.add_trial(_trial(kind=C, alpha=X))
    study.add_trial(_trial(kind=C, depth=N))
    calc = GroupDecomposedSearchSpace()
    assert calc.calculate(study).search_spaces == [{"kind": C}, {"alpha": X}, {"depth": N}]
