from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.samplers import AutoSampler


def _choices(study: albacore.Study) -> list[str]:
    return [t.system_attrs["auto:sampler"] for t in study.trials]


@pytest.fixture(autouse=True)
def _quiet() -> None:
    albacore.logging.set_verbosity(albacore.logging.WARNING)


def test_small_numeric_space_uses_the_gp_then_tpe_for_long_runs() -> None:
    study = albacore.create_study(sampler=AutoSampler(seed=0, gp_max_trials=12))
    study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2 + t.suggest_int("n", 0, 4), n_trials=16)
    choices = _choices(study)
    assert set(choices[:12]) == {"GPSampler"} and set(choices[13:]) == {"TPESampler"}
    assert study.best_value < 1.0


def test_mixed_spaces_and_conditions_a_categorical_decides_use_the_gp() -> None:
    study = albacore.create_study(sampler=AutoSampler(seed=0))
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + (t.suggest_categorical("c", ["a", "b"]) == "a"), n_trials=5)
    assert set(_choices(study)) == {"GPSampler"}

    def conditional(trial: albacore.Trial) -> float:
        if trial.suggest_categorical("kind", [0, 1]) == 0:
            return trial.suggest_float("a", 0, 1)
        return trial.suggest_float("b", 0, 1)

    study = albacore.create_study(sampler=AutoSampler(seed=0))
    study.optimize(conditional, n_trials=12)
    assert set(_choices(study)) == {"GPSampler"}


def test_conditions_no_categorical_decides_and_many_parameters_use_tpe() -> None:
    def threshold(trial: albacore.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        return x + trial.suggest_float("y", 0, 1) if x > 0.5 else x

    study = albacore.create_study(sampler=AutoSampler(seed=0))
    study.optimize(threshold, n_trials=12)
    assert {t.params.get("y") is None for t in study.trials} == {True, False}  # both branches were seen
    assert _choices(study)[-1] == "TPESampler"

    study = albacore.create_study(sampler=AutoSampler(seed=0, gp_max_dims=3))
    study.optimize(lambda t: sum(t.suggest_float(f"x{i}", 0, 1) for i in range(4)), n_trials=3)
    assert _choices(study)[1:] == ["TPESampler", "TPESampler"]


def test_spaces_of_several_categoricals_use_tpe() -> None:
    def model_choice(trial: albacore.Trial) -> float:
        loss = trial.suggest_categorical("loss", ["hinge", "log"])
        penalty = trial.suggest_categorical("penalty", ["l1", "l2", "none"])
        alpha = trial.suggest_float("alpha", 1e-6, 1.0, log=True)
        return alpha + (loss == "hinge") + (penalty == "none")

    study = albacore.create_study(sampler=AutoSampler(seed=0))
    study.optimize(model_choice, n_trials=4)
    assert _choices(study)[1:] == ["TPESampler"] * 3

    # Numeric parameters outnumbering the categoricals keep the GP.
    study = albacore.create_study(sampler=AutoSampler(seed=0))
    study.optimize(lambda t: model_choice(t) + t.suggest_float("x", 0, 1) + t.suggest_int("n", 0, 9), n_trials=4)
    assert set(_choices(study)) == {"GPSampler"}


def test_several_objectives_use_tpe() -> None:
    study = albacore.create_study(directions=["minimize", "minimize"], sampler=AutoSampler(seed=1))
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), 1 - t.suggest_float("x", 0, 1)), n_trials=12)
    assert set(_choices(study)) == {"TPESampler"} and len(study.best_trials) >= 1


def test_seeded_runs_are_reproducible_and_the_sampler_pickles() -> None:
    def run() -> list[float]:
        study = albacore.create_study(sampler=AutoSampler(seed=7))
        study.optimize(lambda t: (t.suggest_float("x", -3, 3) - 0.5) ** 2, n_trials=14)
        return [t.params["x"] for t in study.trials]

    assert run() == run()
    sampler = pickle.loads(pickle.dumps(AutoSampler(seed=3)))
    albacore.create_study(sampler=sampler).optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)


def test_arguments_are_checked() -> None:
    with pytest.raises(InvalidArgumentError, match="gp_max_dims"):
        AutoSampler(gp_max_dims=-1)


def _conditional_objective(trial: albacore.Trial) -> float:
    if trial.suggest_categorical("optimizer", ["sgd", "adam"]) == "sgd":
        return (trial.suggest_float("momentum", 0, 1) - 0.9) ** 2
    return 0.1 + (trial.suggest_float("lr", 1e-4, 1, log=True) - 0.01) ** 2


def test_conditional_space_in_worker_processes_on_sqlite(tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'auto.db'}"
    study = albacore.create_study(storage=storage, sampler=AutoSampler(seed=0))
    study.optimize(_conditional_objective, n_trials=16, n_processes=2)
    assert [t.state for t in study.trials] == [albacore.trial.TrialState.COMPLETE] * 16
    assert set(_choices(study)) == {"GPSampler"}
    assert study.best_value < 0.1  # the sgd branch with momentum near 0.9


def test_hyperband_brackets_of_different_sizes_do_not_confuse_the_summary() -> None:
    # Hyperband hands the sampler one bracket's view; a trial pending in one view once pointed past another's end.
    pruner = albacore.pruners.HyperbandPruner(min_resource=1, max_resource=30, reduction_factor=3)
    study = albacore.create_study(pruner=pruner, sampler=albacore.samplers.AutoSampler(seed=0))

    def objective(trial: albacore.Trial) -> float:
        x = trial.suggest_float("x", -3, 3)
        for step in range(30):
            trial.report(x**2 + 1.0 / (step + 1), step)
            if trial.should_prune():
                raise albacore.TrialPruned()
        return x**2

    study.optimize(objective, n_trials=20)
    assert all(t.state != albacore.trial.TrialState.FAIL for t in study.trials)
