"""The data record of the parameter importance plot, on studies whose important parameter is known."""

from __future__ import annotations

import numpy as np
import pytest

import albacore
from albacore.distributions import FloatDistribution
from albacore.importance import FanovaImportanceEvaluator
from albacore.study import Study
from albacore.trial import create_trial
from albacore.visualization.data import param_importances_data


def _study(n: int = 60, directions: tuple[str, ...] = ("minimize",)) -> Study:
    rng = np.random.default_rng(0)
    study = albacore.create_study(directions=list(directions))
    dists = {"big": FloatDistribution(0, 1), "small": FloatDistribution(0, 1), "none": FloatDistribution(0, 1)}
    for _ in range(n):
        p = {k: float(rng.random()) for k in dists}
        values = [10 * p["big"] + p["small"], 10 * p["small"] - p["big"]][: len(directions)]
        study.add_trial(create_trial(values=values, params=p, distributions=dists))
    return study


def test_importances_order_bars_least_important_first() -> None:
    data = param_importances_data(_study())
    assert data.params[-1] == "big"
    (bars,) = data.bars
    assert bars.target_name == "Objective Value"
    assert bars.importances == sorted(bars.importances)
    assert sum(bars.importances) == pytest.approx(1.0)
    assert all(label == "<0.01" or float(label) >= 0.01 for label in bars.labels)
    assert data.kinds == ["FloatDistribution"] * 3


def test_importances_of_each_objective_of_a_multi_objective_study() -> None:
    study = _study(directions=("minimize", "maximize"))
    data = param_importances_data(study)
    assert [b.target_name for b in data.bars] == ["Objective Value 0", "Objective Value 1"]
    second = dict(zip(data.params, data.bars[1].importances, strict=True))
    assert max(second, key=lambda p: second[p]) == "small"
    study.set_metric_names(["loss", "score"])
    assert [b.target_name for b in param_importances_data(study).bars] == ["loss", "score"]
    with pytest.warns(UserWarning, match="smaller"):  # the evaluator's own note on maximised studies
        one = param_importances_data(study, target=lambda t: t.values[0], target_name="loss only")
    assert [b.target_name for b in one.bars] == ["loss only"]


def test_importances_with_params_evaluator_and_empty_studies() -> None:
    study = _study()
    subset = param_importances_data(study, params=["small", "big"])
    assert sorted(subset.params) == ["big", "small"]
    fanova = param_importances_data(study, FanovaImportanceEvaluator(seed=0))
    assert fanova.params[-1] == "big"
    with pytest.raises(ValueError):
        param_importances_data(study, params=["nope"])
    assert param_importances_data(albacore.create_study()).bars == []
    with pytest.warns(UserWarning, match="target_name"):
        param_importances_data(study, target=lambda t: t.values[0])
