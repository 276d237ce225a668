from __future__ import annotations

import math
import pickle

import pytest

import albacore
from albacore.trial import TrialState

PRUNERS = {
    "median": lambda: albacore.pruners.MedianPruner(n_startup_trials=3),
    "percentile": lambda: albacore.pruners.PercentilePruner(25.0, n_startup_trials=3),
    "successive_halving": lambda: albacore.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3),
    "hyperband": lambda: albacore.pruners.HyperbandPruner(min_resource=1, max_resource=12),
    "threshold": lambda: albacore.pruners.ThresholdPruner(upper=0.7),
    "patient": lambda: albacore.pruners.PatientPruner(albacore.pruners.MedianPruner(n_startup_trials=3), patience=1),
    "wilcoxon": lambda: albacore.pruners.WilcoxonPruner(p_threshold=0.2),
}


def _objective(sign: float) -> albacore.study.ObjectiveFuncType:
    def objective(trial: albacore.Trial) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        value = math.nan
        for step in range(12):
            # Worse with x; a trial with x > 0.95 reports NaN once, which no pruner may choke on.
            value = math.nan if x > 0.95 and step == 5 else sign * (x + 1.0 / (step + 1) + 0.01 * (step % 3))
            trial.report(value, step)
            if trial.should_prune():
                raise albacore.TrialPruned()
        return sign * x

    return objective


@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("direction", ["minimize", "maximize"])
@pytest.mark.parametrize("name", sorted(PRUNERS))
def test_pruner_in_optimize(name: str, direction: str, n_jobs: int) -> None:
    sign = 1.0 if direction == "minimize" else -1.0
    if name == "threshold" and direction == "maximize":
        sign = 1.0
    study = albacore.create_study(
        direction=direction, pruner=PRUNERS[name](), sampler=albacore.samplers.RandomSampler(seed=3)
    )
    study.optimize(_objective(sign), n_trials=24, n_jobs=n_jobs)
    states = [t.state for t in study.trials]
    assert len(states) == 24 and set(states) <= {TrialState.COMPLETE, TrialState.PRUNED}
    assert states.count(TrialState.PRUNED) >= 3
    if n_jobs == 1 and name != "threshold":
        # With nothing to compare against, the first trial runs to its end.
        assert states[0] == TrialState.COMPLETE


def test_report_twice_keeps_the_first_value() -> None:
    study = albacore.create_study()
    trial = study.ask()
    trial.report(1.0, 0)
    with pytest.warns(UserWarning, match="already reported a value at step 0"):
        trial.report(2.0, 0)
    assert study._storage.get_trial(trial._trial_id).intermediate_values == {0: 1.0}


def test_report_in_a_multi_objective_study_is_refused() -> None:
    study = albacore.create_study(directions=["minimize", "maximize"])
    with pytest.raises(NotImplementedError, match="several objectives"):
        study.ask().report(1.0, 0)


@pytest.mark.parametrize("name", sorted(PRUNERS))
def test_pruners_survive_pickling_after_use(name: str) -> None:
    # Studies (with their pruner) are pickled to run in other processes; a used pruner must carry on the same.
    studies = [
        albacore.create_study(study_name="p", pruner=PRUNERS[name](), sampler=albacore.samplers.RandomSampler(seed=0))
        for _ in range(2)
    ]
    for study in studies:
        study.optimize(_objective(1.0), n_trials=8)
    studies[0].pruner = pickle.loads(pickle.dumps(studies[0].pruner))
    for study in studies:
        study.optimize(_objective(1.0), n_trials=8)
    assert [t.state for t in studies[0].trials] == [t.state for t in studies[1].trials]
