from __future__ import annotations

import math
import uuid
from collections.abc import Callable

import pytest

import albacore
from albacore.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.exceptions import (
    IncompatibleDistributionError,
    InvalidArgumentError,
    InvalidDistributionError,
    UpdateFinishedTrialError,
)
from albacore.storages import BaseStorage
from albacore.trial import FixedTrial, TrialState


def _study(**kwargs: object) -> albacore.Study:
    return albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0), **kwargs)  # type: ignore[arg-type]


def test_suggestions_respect_their_ranges() -> None:
    study = _study()
    for _ in range(30):
        trial = study.ask()
        x = trial.suggest_float("x", -2.0, 3.0)
        lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        q = trial.suggest_float("q", 0.0, 1.0, step=0.25)
        n = trial.suggest_int("n", 1, 7)
        m = trial.suggest_int("m", 1, 1000, log=True)
        s = trial.suggest_int("s", 0, 10, step=5)
        c = trial.suggest_categorical("c", [None, "a", 3])
        assert -2.0 <= x <= 3.0 and 1e-5 <= lr <= 1e-1
        assert q in (0.0, 0.25, 0.5, 0.75, 1.0)
        assert isinstance(n, int) and 1 <= n <= 7 and 1 <= m <= 1000 and s in (0, 5, 10)
        assert c in (None, "a", 3)
        study.tell(trial, x)
    assert len({t.params["x"] for t in study.trials}) == 30


def test_same_name_returns_the_same_value_and_other_kind_is_rejected_without_writing() -> None:
    study = _study()
    trial = study.ask()
    x = trial.suggest_float("x", 0, 1)
    assert trial.suggest_float("x", 0, 1) == x
    with pytest.raises(IncompatibleDistributionError, match="kind of distribution"):
        trial.suggest_int("x", 0, 1)
    with pytest.raises(InvalidDistributionError, match=r"suggest_float\('y'\), got low=1.0, high=0.1"):
        trial.suggest_float("y", 1.0, 0.1)
    assert trial.params == {"x": x}
    frozen = study.tell(trial, 0.0)
    assert frozen.params == {"x": x}


def test_parameter_kind_and_choices_are_fixed_across_the_study_and_checked_at_suggest(
    open_storage: Callable[[], BaseStorage],
) -> None:
    name = f"kinds-{uuid.uuid4().hex[:8]}"
    first = albacore.create_study(study_name=name, storage=open_storage())
    first.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_categorical("c", ["a"]))[0], n_trials=1)
    # Another client of the same storage, which has not seen the parameters yet.
    study = albacore.load_study(study_name=name, storage=open_storage())
    trial = study.ask()
    assert trial.suggest_float("x", 5, 6) <= 6  # a numeric range may change
    with pytest.raises(IncompatibleDistributionError, match="choices of a categorical"):
        trial.suggest_categorical("c", ["a", "b"])
    with pytest.raises(IncompatibleDistributionError, match="kind of distribution"):
        trial.suggest_int("c", 0, 1)
    assert trial.suggest_categorical("c", ["a"]) == "a"
    frozen = study.tell(trial, 1.0)
    assert frozen.distributions["c"] == CategoricalDistribution(["a"])
    assert [t.state for t in study.trials] == [TrialState.COMPLETE, TrialState.COMPLETE]


def test_single_value_ranges_need_no_sampler() -> None:
    trial = _study().ask()
    assert trial.suggest_float("a", 2.0, 2.0) == 2.0
    assert trial.suggest_int("b", 4, 4) == 4
    assert trial.suggest_categorical("c", ["only"]) == "only"


def test_report_keeps_the_first_value_per_step() -> None:
    study = _study()
    trial = study.ask()
    trial.report(1.0, 0)
    with pytest.warns(UserWarning, match="already reported a value at step 0"):
        trial.report(2.0, 0)
    frozen = study.tell(trial, 0.5)
    assert frozen.intermediate_values == {0: 1.0}


@pytest.mark.parametrize(("value", "step"), [("a", 0), (1.0, -1), (1.0, 1.5)])
def test_report_rejects_bad_arguments(value: object, step: object) -> None:
    trial = _study().ask()
    with pytest.raises(InvalidArgumentError):
        trial.report(value, step)  # type: ignore[arg-type]


def test_report_in_a_multi_objective_study_raises() -> None:
    trial = _study(directions=["minimize", "maximize"]).ask()
    with pytest.raises(NotImplementedError, match="several objectives"):
        trial.report(1.0, 0)
    with pytest.raises(NotImplementedError):
        trial.should_prune()


def test_constraints_first_value_wins_and_nan_is_rejected() -> None:
    study = _study()
    trial = study.ask()
    trial.set_constraint("memory", 2.0)
    with pytest.warns(UserWarning, match="already set"):
        trial.set_constraint("memory", -1.0)
    with pytest.raises(InvalidArgumentError, match="NaN"):
        trial.set_constraint("time", math.nan)
    assert trial.constraints == {"memory": 2.0}
    assert study.tell(trial, 1.0).constraints == {"memory": 2.0}


def test_user_attrs_and_relative_params() -> None:
    study = _study()
    trial = study.ask()
    trial.set_user_attr("note", {"a": [1, 2]})
    assert trial.user_attrs == {"note": {"a": [1, 2]}}
    assert trial.relative_params == {}
    assert trial.datetime_start is not None
    assert study.tell(trial, 1.0).user_attrs == {"note": {"a": [1, 2]}}


def test_a_told_trial_cannot_suggest() -> None:
    study = _study()
    trial = study.ask()
    study.tell(trial, 1.0)
    with pytest.raises(UpdateFinishedTrialError):
        trial.suggest_float("x", 0, 1)


def test_fixed_distributions_of_ask() -> None:
    study = _study()
    trial = study.ask({"x": FloatDistribution(0, 1), "c": CategoricalDistribution(["a", "b"])})
    assert set(trial.params) == {"x", "c"}
    assert trial.suggest_categorical("c", ["a", "b"]) == trial.params["c"]


def test_fixed_trial() -> None:
    def objective(trial: albacore.trial.BaseTrial) -> float:
        x = trial.suggest_float("x", -10, 10)
        k = trial.suggest_int("k", 0, 3)
        return x * k

    assert objective(FixedTrial({"x": 2.5, "k": 2})) == 5.0
    with pytest.raises(InvalidArgumentError, match="no value for parameter 'k'"):
        objective(FixedTrial({"x": 1.0}))


def test_frozen_trial_replays_and_validates() -> None:
    frozen = albacore.create_trial(
        params={"x": 2.0, "n": 3},
        distributions={"x": FloatDistribution(0, 5), "n": IntDistribution(0, 5)},
        value=1.0,
        intermediate_values={0: 3.0, 4: 2.0},
        constraints={"c": -1.0},
    )
    assert frozen.suggest_float("x", 0, 5) == 2.0
    assert frozen.suggest_int("n", 0, 5) == 3
    assert frozen.last_step == 4 and frozen.constraints == {"c": -1.0}
    assert frozen.should_prune() is False and frozen.duration is not None
    with pytest.raises(InvalidArgumentError, match="lies outside"):
        albacore.create_trial(params={"x": 9.0}, distributions={"x": FloatDistribution(0, 5)}, value=1.0)
    with pytest.raises(InvalidArgumentError, match="needs `value`"):
        albacore.create_trial(state=TrialState.COMPLETE)
    with pytest.raises(RuntimeError, match="several objectives"):
        _ = albacore.create_trial(values=[1.0, 2.0]).value


class _JointSampler(albacore.samplers.RandomSampler):
    """Proposes x and y jointly (a relative sample), like the model-based samplers."""

    def infer_relative_search_space(self, study: object, trial: object) -> dict[str, FloatDistribution]:
        return {"x": FloatDistribution(0, 1), "y": FloatDistribution(0, 1)}

    def sample_relative(self, study: object, trial: object, search_space: object) -> dict[str, float]:
        return {"x": 0.25, "y": 0.75}


def test_a_joint_proposal_is_written_once_complete_and_other_params_at_the_end() -> None:
    study = albacore.create_study(sampler=_JointSampler(seed=0))
    trial = study.ask()
    trial.suggest_float("x", 0, 1)
    assert study._storage.get_trial(trial._trial_id).params == {}  # half a proposal stays buffered
    trial.suggest_float("y", 0, 1)
    # Complete: other workers' samplers now see where this running trial is.
    assert study._storage.get_trial(trial._trial_id).params == {"x": 0.25, "y": 0.75}
    trial.suggest_int("n", 0, 3)
    assert "n" not in study._storage.get_trial(trial._trial_id).params  # written with the trial's end
    assert set(study.tell(trial, 1.0).params) == {"x", "y", "n"}

    plain = _study().ask()
    plain.suggest_float("x", 0, 1)
    plain.suggest_float("y", 0, 1)
    assert plain.study._storage.get_trial(plain._trial_id).params == {}  # no joint proposal: one write at tell
