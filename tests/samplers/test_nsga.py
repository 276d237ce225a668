from __future__ import annotations

import math

import numpy as np
import pytest

import albacore
from albacore._pareto import is_pareto_front
from albacore.exceptions import InvalidArgumentError
from albacore.samplers import NSGAIIISampler, NSGAIISampler, nsgaii
from albacore.samplers._nsga._selection import (
    constrained_fronts,
    crowding_distance,
    das_dennis_points,
    select_by_crowding,
    select_by_reference_points,
)
from albacore.trial import Trial, TrialState

CROSSOVERS = [
    nsgaii.UniformCrossover(),
    nsgaii.BLXAlphaCrossover(),
    nsgaii.SBXCrossover(),
    nsgaii.VSBXCrossover(),
    nsgaii.UNDXCrossover(),
    nsgaii.SPXCrossover(),
]


def _zdt1(trial: Trial) -> tuple[float, float]:
    x = [trial.suggest_float(f"x{i}", 0, 1) for i in range(4)]
    g = 1 + 9 * sum(x[1:]) / 3
    return x[0], g * (1 - math.sqrt(x[0] / g))


def _hypervolume_2d(points: np.ndarray, ref: np.ndarray) -> float:
    front = points[is_pareto_front(points)]
    front = front[np.argsort(front[:, 0])]
    widths = np.diff(np.concatenate([front[:, 0], [ref[0]]]))
    return float(np.sum(widths * np.maximum(ref[1] - front[:, 1], 0.0)))


@pytest.mark.parametrize("crossover", CROSSOVERS, ids=str)
def test_every_crossover_stays_in_bounds_and_improves_on_random(crossover: nsgaii.BaseCrossover) -> None:
    sampler = NSGAIISampler(population_size=20, crossover=crossover, seed=0)
    study = albacore.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(_zdt1, n_trials=200)
    values = np.array([t.values for t in study.trials])
    params = np.array([[t.params[f"x{i}"] for i in range(4)] for t in study.trials])
    assert np.all((params >= 0) & (params <= 1))
    ref = np.array([1.1, 11.0])
    evolved, initial = _hypervolume_2d(values, ref), _hypervolume_2d(values[:20], ref)
    assert evolved > initial


def test_operators_direct_use() -> None:
    rng = np.random.RandomState(0)
    bounds = np.array([[0.0, 1.0]] * 3)
    parents = rng.rand(3, 3)
    for crossover in CROSSOVERS:
        child = crossover.crossover(parents[: crossover.n_parents], rng, None, bounds)  # type: ignore[arg-type]
        assert child.shape == (3,) and np.all(np.isfinite(child))
    mutated = [nsgaii.PolynomialMutation().mutation(0.9, rng, None, np.array([0.0, 1.0])) for _ in range(200)]  # type: ignore[arg-type]
    assert all(0.0 <= m <= 1.0 for m in mutated) and len(set(mutated)) > 100
    assert abs(np.mean(mutated) - 0.9) < 0.05


def test_generations_are_recorded_and_parents_stored() -> None:
    sampler = NSGAIISampler(population_size=10, seed=0)
    study = albacore.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(_zdt1, n_trials=35)
    generations = [t.system_attrs["NSGAIISampler:generation"] for t in study.trials]
    assert generations == [0] * 10 + [1] * 10 + [2] * 10 + [3] * 5
    parents = study.system_attrs["NSGAIISampler:parents:2"]
    assert len(parents) == 10 and all(isinstance(n, int) for n in parents)
    assert sampler.get_parent_population(study, 0) == []
    assert [t.number for t in sampler.get_population(study, 1)] == list(range(10, 20))


def test_parallel_workers_share_generations() -> None:
    study = albacore.create_study(directions=["minimize", "minimize"], sampler=NSGAIISampler(population_size=8, seed=0))
    study.optimize(_zdt1, n_trials=40, n_jobs=2)
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    counts = np.bincount([t.system_attrs["NSGAIISampler:generation"] for t in study.trials])
    assert counts[0] >= 8 and len(counts) >= 4


def test_reproducible_with_seed() -> None:
    runs = []
    for _ in range(2):
        study = albacore.create_study(
            directions=["minimize", "minimize"], sampler=NSGAIISampler(population_size=6, seed=3)
        )
        study.optimize(_zdt1, n_trials=30)
        runs.append([t.params for t in study.trials])
    assert runs[0] == runs[1]


def test_mixed_and_conditional_spaces_inherit_from_parents() -> None:
    def objective(trial: Trial) -> float:
        kind = trial.suggest_categorical("kind", ["a", "b"])
        n = trial.suggest_int("n", 1, 100, log=True)
        if kind == "a":
            return abs(trial.suggest_float("xa", -1, 1, step=0.1)) + abs(n - 10)
        return 5 + abs(trial.suggest_float("xb", -1, 1)) + abs(n - 10)

    study = albacore.create_study(sampler=NSGAIISampler(population_size=10, seed=0))
    study.optimize(objective, n_trials=120)
    assert study.best_params["kind"] == "a"
    assert study.best_value < 3
    assert all(t.params["n"] == int(t.params["n"]) for t in study.trials)


def test_constraints_prefer_feasible_trials() -> None:
    def objective(trial: Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0, 1)
        y = trial.suggest_float("y", 0, 1)
        trial.set_constraint("c", 0.5 - x)  # feasible when x >= 0.5
        return x, 1 - x + y

    study = albacore.create_study(
        directions=["minimize", "minimize"], sampler=NSGAIISampler(population_size=10, seed=0)
    )
    study.optimize(objective, n_trials=80)
    late = study.trials[40:]
    assert np.mean([t.params["x"] >= 0.5 for t in late]) > 0.8


def test_constraints_func_is_stored() -> None:
    with pytest.warns(FutureWarning, match="constraints_func"):
        sampler = NSGAIISampler(population_size=4, seed=0, constraints_func=lambda t: [t.params["x"] - 0.5])
    study = albacore.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=6)
    assert all(t.constraints == {"0": t.params["x"] - 0.5} for t in study.trials)


def test_mutation_operator_is_used() -> None:
    sampler = NSGAIISampler(population_size=6, seed=0, mutation=nsgaii.PolynomialMutation(), mutation_prob=1.0)
    study = albacore.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1) ** 2, n_trials=40)
    assert study.best_value < 0.01


def test_nsga3_spreads_over_reference_directions() -> None:
    def dtlz1_like(trial: Trial) -> list[float]:
        x = [trial.suggest_float(f"x{i}", 0, 1) for i in range(4)]
        g = sum((xi - 0.5) ** 2 for xi in x[2:])
        return [(1 + g) * x[0] * x[1], (1 + g) * x[0] * (1 - x[1]), (1 + g) * (1 - x[0])]

    sampler = NSGAIIISampler(population_size=16, seed=0, dividing_parameter=4)
    study = albacore.create_study(directions=["minimize"] * 3, sampler=sampler)
    study.optimize(dtlz1_like, n_trials=160)
    assert len(study.best_trials) >= 10
    custom = NSGAIIISampler(population_size=8, seed=0, reference_points=das_dennis_points(3, 2))
    albacore.create_study(directions=["minimize"] * 3, sampler=custom).optimize(dtlz1_like, n_trials=20)


def test_selection_helpers() -> None:
    loss = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [1.0, 1.0], [0.0, 0.0]])
    violation = np.array([0.0, 0.0, 0.0, 0.0, 2.0])
    fronts = constrained_fronts(loss, violation)
    assert [f.tolist() for f in fronts] == [[0, 1, 2], [3], [4]]
    distance = crowding_distance(loss[:3])
    assert np.isinf(distance[0]) and np.isinf(distance[1]) and np.isfinite(distance[2])
    rng = np.random.RandomState(0)
    assert sorted(select_by_crowding(loss, violation, 4, rng).tolist()) == [0, 1, 2, 3]
    points = das_dennis_points(3, 4)
    assert points.shape == (15, 3) and np.allclose(points.sum(axis=1), 1.0)
    chosen = select_by_reference_points(loss, violation, 2, das_dennis_points(2, 2), rng)
    assert len(chosen) == 2 and set(chosen.tolist()) <= {0, 1, 2}


def test_invalid_arguments() -> None:
    with pytest.raises(InvalidArgumentError):
        NSGAIISampler(population_size=1)
    with pytest.raises(InvalidArgumentError):
        NSGAIISampler(crossover_prob=2.0)
    with pytest.raises(InvalidArgumentError):
        NSGAIISampler(population_size=2, crossover=nsgaii.UNDXCrossover())
    with pytest.raises(InvalidArgumentError):
        nsgaii.UniformCrossover(swapping_prob=-0.1)
    with pytest.raises(InvalidArgumentError):
        NSGAIIISampler(dividing_parameter=0)


def test_samplers_survive_pickling() -> None:
    import pickle

    for sampler in (NSGAIISampler(population_size=4, seed=0), NSGAIIISampler(population_size=4, seed=0)):
        copy = pickle.loads(pickle.dumps(sampler))
        study = albacore.create_study(directions=["minimize", "minimize"], sampler=copy)
        study.optimize(_zdt1, n_trials=10)
        assert len(study.trials) == 10
