"""get_param_importances and the behaviour every evaluator shares: which trials count, params, normalisation."""

from __future__ import annotations

import copy
import math
import subprocess
import sys
from collections.abc import Callable

import pytest

import albacore
from albacore.distributions import FloatDistribution
from albacore.exceptions import InvalidArgumentError
from albacore.importance import (
    BaseImportanceEvaluator,
    FanovaImportanceEvaluator,
    MeanDecreaseImpurityImportanceEvaluator,
    get_param_importances,
)
from albacore.trial import Trial

Make = Callable[[], BaseImportanceEvaluator]
StudyOf = Callable[..., albacore.Study]


def _three_params(trial: Trial) -> float:
    x1 = trial.suggest_float("x1", 0.1, 3)
    x2 = trial.suggest_float("x2", 0.1, 3, log=True)
    x3 = trial.suggest_float("x3", 0, 3, step=1)
    return x1**4 + x2 + x3


def test_default_evaluator_is_ped_anova_and_needs_no_sklearn() -> None:
    code = (
        "import sys, albacore\n"
        "s = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))\n"
        "s.optimize(lambda t: t.suggest_float('x', 0, 1), n_trials=5)\n"
        "albacore.importance.get_param_importances(s)\n"
        "print('sklearn' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_empty_and_all_pruned_studies_give_empty_dicts(make_evaluator: Make) -> None:
    study = albacore.create_study()
    assert get_param_importances(study, evaluator=make_evaluator()) == {}

    def pruned(trial: Trial) -> float:
        trial.suggest_float("x", 0, 1)
        raise albacore.TrialPruned

    study.optimize(pruned, n_trials=3)
    assert get_param_importances(study, evaluator=make_evaluator()) == {}


def test_one_trial_gives_the_whole_share_to_its_parameter(random_study: StudyOf, make_evaluator: Make) -> None:
    study = random_study(lambda t: t.suggest_float("x1", 0.1, 3) ** 2, 1)
    assert get_param_importances(study, evaluator=make_evaluator()) == {"x1": 1.0}
    assert make_evaluator().evaluate(study) == {"x1": 0.0}


def test_unknown_or_never_completed_params_raise(random_study: StudyOf, make_evaluator: Make) -> None:
    def objective(trial: Trial) -> float:
        x1 = trial.suggest_float("x1", 0.1, 3)
        if trial.number % 2 == 0:
            trial.suggest_float("x2", 0.1, 3)
            raise albacore.TrialPruned
        return x1

    study = random_study(objective, 4)
    for params in (["x2"], ["x1", "x2"], ["nope"]):
        with pytest.raises(InvalidArgumentError, match="parameter"):
            get_param_importances(study, evaluator=make_evaluator(), params=params)
    with pytest.raises(InvalidArgumentError, match="list of parameter names"):
        get_param_importances(study, evaluator=make_evaluator(), params="x1")  # type: ignore[arg-type]


def test_single_valued_parameter_gets_zero(random_study: StudyOf, make_evaluator: Make) -> None:
    def objective(trial: Trial) -> float:
        return 4 * trial.suggest_float("x", 0, 5) ** 2 + trial.suggest_float("y", 1, 1)

    importances = get_param_importances(random_study(objective, 10), evaluator=make_evaluator())
    assert importances == {"x": 1.0, "y": 0.0}


def test_only_single_valued_parameters_give_zeros(random_study: StudyOf, make_evaluator: Make) -> None:
    study = random_study(lambda t: t.suggest_float("a", 0.0, 0.0), 3)
    assert make_evaluator().evaluate(study) == {"a": 0.0}


@pytest.mark.parametrize("bad", [math.inf, -math.inf])
def test_trials_with_infinite_values_are_left_out(random_study: StudyOf, make_evaluator: Make, bad: float) -> None:
    study = random_study(_three_params, 20, seed=3)
    before = make_evaluator().evaluate(study)
    params = {"x1": 1.0, "x2": 1.0, "x3": 3.0}
    dists = dict(study.trials[0].distributions)
    study.add_trial(albacore.create_trial(value=bad, params=params, distributions=dists))
    assert make_evaluator().evaluate(study) == before


@pytest.mark.parametrize("normalize", [True, False])
def test_values_are_ordered_finite_floats_and_normalised_to_one(
    random_study: StudyOf, make_evaluator: Make, normalize: bool
) -> None:
    study = random_study(_three_params, 30, seed=1)
    importances = get_param_importances(study, evaluator=make_evaluator(), normalize=normalize)
    assert set(importances) == {"x1", "x2", "x3"}
    values = list(importances.values())
    assert all(type(v) is float and 0.0 <= v < math.inf for v in values)
    assert values == sorted(values, reverse=True)
    assert next(iter(importances)) == "x1"  # x1**4 spans 0..81, the others 0..3
    if normalize:
        assert math.isclose(sum(values), 1.0)


@pytest.mark.parametrize("params", [[], ["x1"], ["x3", "x1"], ["x2", "x3", "x1"]])
def test_params_select_the_parameters_returned(random_study: StudyOf, make_evaluator: Make, params: list[str]) -> None:
    study = random_study(_three_params, 30, seed=2)
    importances = get_param_importances(study, evaluator=make_evaluator(), params=params)
    assert sorted(importances) == sorted(params)
    if params:
        assert math.isclose(sum(importances.values()), 1.0)


def test_equal_importances_keep_the_order_of_params(random_study: StudyOf) -> None:
    study = random_study(lambda t: t.suggest_float("b", 0, 0) + t.suggest_float("a", 1, 1), 5)
    assert list(get_param_importances(study, params=["b", "a"])) == ["b", "a"]
    assert list(get_param_importances(study, params=["a", "b"])) == ["a", "b"]
    assert list(get_param_importances(study)) == ["a", "b"]  # the default set is ordered by name


def test_target_changes_what_is_analysed(random_study: StudyOf, make_evaluator: Make) -> None:
    study = random_study(_three_params, 40, seed=4)
    by_x3 = get_param_importances(study, evaluator=make_evaluator(), target=lambda t: t.params["x3"])
    assert next(iter(by_x3)) == "x3"
    assert by_x3 != get_param_importances(study, evaluator=make_evaluator())


def test_trials_are_not_modified(random_study: StudyOf, make_evaluator: Make) -> None:
    def objective(trial: Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        kind = trial.suggest_categorical("kind", ["a", "b", None])
        trial.set_user_attr("seen", [x])
        return x**2 + (kind == "a")

    study = random_study(objective, 25)
    before = copy.deepcopy(study.trials)
    get_param_importances(study, evaluator=make_evaluator(), target=lambda t: t.params["x"])
    get_param_importances(study, evaluator=make_evaluator())
    assert study.trials == before
    assert [t.user_attrs for t in study.trials] == [t.user_attrs for t in before]


def test_same_study_same_importances_on_every_call(random_study: StudyOf, make_evaluator: Make) -> None:
    study = random_study(_three_params, 40, seed=5)
    first = get_param_importances(study, evaluator=make_evaluator())
    assert get_param_importances(study, evaluator=make_evaluator()) == first


@pytest.mark.parametrize("cls", [FanovaImportanceEvaluator, MeanDecreaseImpurityImportanceEvaluator])
def test_forest_evaluators_are_seeded_by_default(random_study: StudyOf, cls: type[FanovaImportanceEvaluator]) -> None:
    study = random_study(_three_params, 20, seed=6)
    unseeded = cls(n_trees=8).evaluate(study)
    assert cls(n_trees=8).evaluate(study) == unseeded
    assert cls(n_trees=8, seed=0).evaluate(study) == unseeded
    assert cls(n_trees=8, seed=1).evaluate(study) != unseeded
    assert cls(n_trees=4).evaluate(study) != unseeded
    assert cls(n_trees=8, max_depth=1).evaluate(study) != unseeded


@pytest.mark.parametrize("cls", [FanovaImportanceEvaluator, MeanDecreaseImpurityImportanceEvaluator])
@pytest.mark.parametrize("kwargs", [{"n_trees": 0}, {"max_depth": 0}, {"n_trees": 2.5}, {"seed": "0"}])
def test_forest_evaluators_reject_bad_arguments(cls: type[FanovaImportanceEvaluator], kwargs: dict) -> None:
    with pytest.raises(InvalidArgumentError):
        cls(**kwargs)


def test_evaluator_must_be_an_importance_evaluator(random_study: StudyOf) -> None:
    study = random_study(_three_params, 3)
    with pytest.raises(TypeError, match="BaseImportanceEvaluator"):
        get_param_importances(study, evaluator=object())  # type: ignore[arg-type]


def test_users_own_evaluator_is_normalised_and_restricted_to_params(random_study: StudyOf) -> None:
    class Constant(BaseImportanceEvaluator):
        def evaluate(self, study, params=None, *, target=None):  # type: ignore[no-untyped-def]
            return {"x1": 3.0, "x2": 1.0, "x3": 0.0}

    study = random_study(_three_params, 3)
    assert get_param_importances(study, evaluator=Constant()) == {"x1": 0.75, "x2": 0.25, "x3": 0.0}
    assert get_param_importances(study, evaluator=Constant(), params=["x2"]) == {"x2": 1.0}


def _two_objectives(trial: Trial) -> tuple[float, float]:
    x = trial.suggest_float("x", 0, 1)
    y = trial.suggest_float("y", 0, 1)
    trial.suggest_float("noise", 0, 1)
    return x, (1 - x) ** 2 + y


def test_multi_objective_without_target(random_study: StudyOf) -> None:
    study = random_study(_two_objectives, 60, directions=["minimize", "minimize"])
    importances = get_param_importances(study)
    assert list(importances)[-1] == "noise"
    for cls in (FanovaImportanceEvaluator, MeanDecreaseImpurityImportanceEvaluator):
        with pytest.raises(InvalidArgumentError, match=r"target=lambda t: t\.values"):
            get_param_importances(study, evaluator=cls())


def test_multi_objective_with_target(random_study: StudyOf, make_evaluator: Make) -> None:
    study = random_study(_two_objectives, 200, directions=["minimize", "minimize"])
    importances = get_param_importances(study, evaluator=make_evaluator(), target=lambda t: t.values[1])
    assert list(importances)[-1] == "noise"


def test_constrained_pruned_and_conditional_study_runs(random_study: StudyOf, make_evaluator: Make) -> None:
    def objective(trial: Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        kind = trial.suggest_categorical("kind", ["a", "b"])
        if kind == "a":
            trial.suggest_int("n", 1, 8, log=True)
        trial.set_constraint("c", x - 0.8)
        if trial.number % 7 == 3:
            raise albacore.TrialPruned
        return x**2

    importances = get_param_importances(random_study(objective, 40), evaluator=make_evaluator())
    assert next(iter(importances)) == "x"
    assert math.isclose(sum(importances.values()), 1.0)


@pytest.mark.parametrize("cls", [FanovaImportanceEvaluator, MeanDecreaseImpurityImportanceEvaluator])
def test_forest_evaluators_refuse_a_parameter_whose_range_changed(
    random_study: StudyOf, cls: type[FanovaImportanceEvaluator]
) -> None:
    study = random_study(lambda t: t.suggest_float("x", 0.1, t.number + 0.1), 3)
    with pytest.raises(InvalidArgumentError, match="different distributions"):
        cls().evaluate(study, params=["x"])
    assert cls().evaluate(study) == {}  # by default only parameters with one range are evaluated


def test_forest_evaluators_read_the_trials_that_hold_every_param(random_study: StudyOf) -> None:
    def objective(trial: Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        if trial.number % 2:
            return x + 10 * trial.suggest_float("z", 0, 1)
        return x

    study = random_study(objective, 40)
    assert list(FanovaImportanceEvaluator().evaluate(study)) == ["x"]
    assert list(FanovaImportanceEvaluator().evaluate(study, params=["x", "z"])) == ["z", "x"]
    trials_dists = {"x": FloatDistribution(0, 1)}
    study.add_trial(albacore.create_trial(value=0.0, params={"x": 0.5}, distributions=trials_dists))
    with pytest.raises(InvalidArgumentError, match="together"):
        FanovaImportanceEvaluator().evaluate(
            random_study(lambda t: t.suggest_float("a" if t.number % 2 else "b", 0, 1), 4), params=["a", "b"]
        )
