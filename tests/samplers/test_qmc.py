from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import qmc

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.samplers import QMCSampler


def objective(trial: albacore.Trial) -> float:
    x = trial.suggest_float("x", 0.0, 1.0)
    y = trial.suggest_float("y", 0.0, 1.0)
    return x + y


def _xy(study: albacore.Study) -> dict[int, tuple[float, float]]:
    return {t.number: (t.params["x"], t.params["y"]) for t in study.trials}


@pytest.mark.parametrize("qmc_type", ["sobol", "halton"])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_trial_n_gets_point_n_of_the_sequence(qmc_type: str, n_jobs: int) -> None:
    study = albacore.create_study(sampler=QMCSampler(qmc_type=qmc_type, seed=0))
    study.optimize(objective, n_trials=20, n_jobs=n_jobs)
    engine = qmc.Sobol(2, scramble=False) if qmc_type == "sobol" else qmc.Halton(2, scramble=False)
    expected = engine.random(32) if qmc_type == "halton" else engine.random_base2(5)
    points = _xy(study)
    # Trial 0 defines the search space and is sampled at random; the others follow the sequence, even when the
    # two threads finish trials out of order.
    first = min(t.number for t in study.trials if t.state.is_finished())
    for number, xy in points.items():
        if number > first:
            np.testing.assert_allclose(xy, expected[number])
    assert len(set(points.values())) == len(points)


def test_scrambled_sequence_depends_on_the_seed_only() -> None:
    def run(seed: int) -> dict[int, tuple[float, float]]:
        study = albacore.create_study(sampler=QMCSampler(scramble=True, seed=seed))
        study.optimize(objective, n_trials=6)
        return _xy(study)

    assert run(1) == run(1)
    assert run(1) != run(2)


def test_point_table_grows_without_changing_its_prefix() -> None:
    sampler = QMCSampler(scramble=True, seed=3)
    early = sampler._point(5, 3)
    late = sampler._point(100, 3)
    assert sampler._point(5, 3).tolist() == early.tolist()
    whole = qmc.Sobol(3, scramble=True, seed=np.random.default_rng(3)).random_base2(7)
    np.testing.assert_array_equal(late, whole[100])


def test_categorical_and_int_parameters() -> None:
    def mixed(trial: albacore.Trial) -> float:
        c = trial.suggest_categorical("c", ["a", "b", "c", None])
        n = trial.suggest_int("n", 1, 4)
        return float(n) + (c is None)

    study = albacore.create_study(sampler=QMCSampler(seed=0))
    study.optimize(mixed, n_trials=32)
    # Sobol points 16 to 31 fall 4 times into each quarter of each axis.
    later = study.trials[16:]
    assert sorted(t.params["c"] or "z" for t in later).count("a") == 4
    assert {t.params["n"] for t in later} == {1, 2, 3, 4}
    assert len({(t.params["c"], t.params["n"]) for t in later}) == 16


def test_new_parameters_are_sampled_independently_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    study = albacore.create_study(sampler=QMCSampler(seed=0))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    caplog.clear()
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("extra", 0, 1), n_trials=1)
    assert "samples parameter 'extra' of trial #1 independently" in caplog.text
    caplog.clear()
    quiet = albacore.create_study(sampler=QMCSampler(seed=0, warn_independent_sampling=False))
    quiet.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("extra", 0, 1) * t.number, n_trials=3)
    assert "independently" not in caplog.text


def test_asynchronous_seeding_warning(caplog: pytest.LogCaptureFixture) -> None:
    QMCSampler(scramble=True)
    assert "give every worker the same `seed`" in caplog.text
    caplog.clear()
    QMCSampler(scramble=True, seed=1)
    QMCSampler(scramble=True, warn_asynchronous_seeding=False)
    QMCSampler()
    assert not caplog.text


def test_before_any_trial_finishes_running_trials_give_the_search_space(caplog: pytest.LogCaptureFixture) -> None:
    sampler = QMCSampler(seed=0)
    study = albacore.create_study(sampler=sampler)
    running = study.ask({"a": albacore.distributions.FloatDistribution(0, 1)})
    running._flush()  # parameters reach the storage in batches; here as at a first report
    assert sampler.infer_relative_search_space(study, study.ask()._as_frozen()) == {
        "a": albacore.distributions.FloatDistribution(0, 1)
    }
    study.ask({"b": albacore.distributions.FloatDistribution(0, 1)})._flush()
    assert set(sampler.infer_relative_search_space(study, study.ask()._as_frozen())) == {"a", "b"}
    assert "different parameters" in caplog.text
    # Once a trial finishes, its space is the study's.
    study.tell(running, 1.0)
    assert set(sampler.infer_relative_search_space(study, study.ask()._as_frozen())) == {"a"}


def test_one_sampler_serves_several_studies() -> None:
    sampler = QMCSampler(seed=0)
    first = albacore.create_study(sampler=sampler)
    first.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    second = albacore.create_study(sampler=sampler)
    second.optimize(lambda t: t.suggest_float("y", 0, 1), n_trials=3)
    assert set(sampler.infer_relative_search_space(second, second.trials[-1])) == {"y"}


@pytest.mark.parametrize("kwargs", [{"qmc_type": "lhs"}, {"independent_sampler": "random"}])
def test_invalid_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgumentError):
        QMCSampler(**kwargs)  # type: ignore[arg-type]
