"""The categorical trap: numeric choices are noticed (a warning naming the call to use) and modelled by order."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

import albacore
from albacore._numeric_choices import RankedChoices, advice, order_of, progression
from albacore.distributions import CategoricalDistribution, FloatDistribution
from albacore.exceptions import NumericCategoricalWarning
from albacore.samplers._tpe._space import DISCRETE, SpaceEncoding


@pytest.mark.parametrize(
    "choices, expected",
    [
        ([1e-5, 1e-4, 1e-3, 1e-2], "suggest_float('p', 1e-05, 0.01, log=True)"),
        ([16, 32, 64, 128], "suggest_int('p', 16, 128, log=True)"),
        ([1, 2, 3, 4], "suggest_int('p', 1, 4)"),
        ([0, 10, 20, 30], "suggest_int('p', 0, 30, step=10)"),
        ([0.0, 0.25, 0.5], "suggest_float('p', 0, 0.5, step=0.25)"),
        ([0.3, 0.1, 0.7, 0.35], "suggest_float('p', 0.1, 0.7)"),
        ([1, 5, 2000], "suggest_int('p', 1, 2000)"),
        ([0.001, 0.5, 7.0], "suggest_float('p', 0.001, 7, log=True)"),
        (["a", 1, 2], None),
        ([True, 1, 2], None),
        ([0.0, 1.0], None),
        ([1.0, math.nan, 2.0], None),
    ],
)
def test_advice_names_the_call_that_keeps_the_order(choices: list[Any], expected: str | None) -> None:
    assert advice("p", choices) == expected


def test_progressions_and_ranks() -> None:
    assert progression([1e-3, 1e-1, 1e-2]) == "geometric"
    assert progression([3, 1, 2]) == "arithmetic"
    assert progression([1, 2, 4, 5]) is None
    assert order_of([128, 16, 32, 64]) == [3, 0, 1, 2]
    assert order_of([1, 1.0, 2]) is None  # equal values: no order to keep
    ranked = RankedChoices.of(CategoricalDistribution([128, 16, 32, 64]))
    assert ranked is not None and ranked.rank(16) == 0 and ranked.choice(3) == 128


def _objective(trial: albacore.Trial) -> float:
    lr = trial.suggest_categorical("lr", [1e-5, 1e-4, 1e-3, 1e-2])
    trial.suggest_categorical("kind", ["a", "b", "c"])
    trial.suggest_categorical("flag", [0, 1])
    return float(lr)


def test_the_warning_comes_once_per_study_and_parameter_and_points_at_the_call() -> None:
    study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
    with pytest.warns(NumericCategoricalWarning) as record:
        study.optimize(_objective, n_trials=3)
    assert len(record) == 1
    assert "suggest_float('lr', 1e-05, 0.01, log=True)" in str(record[0].message)
    assert record[0].filename == __file__
    with pytest.warns(NumericCategoricalWarning):
        albacore.create_study().optimize(_objective, n_trials=1)  # another study warns again


def test_filtering_the_warning_class_turns_it_off() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=NumericCategoricalWarning)
        albacore.create_study().optimize(_objective, n_trials=2)


def test_tpe_encodes_numeric_choices_by_rank_and_decodes_them_to_indices() -> None:
    dist = CategoricalDistribution([128, 16, 32, 64])
    encoding = SpaceEncoding({"batch": dist, "x": FloatDistribution(0, 1)})
    assert encoding.specs[0].kind == DISCRETE and encoding.specs[0].size == 4
    coordinates = encoding.encode(np.array([[1.0, 0.5], [2.0, 0.5], [0.0, 0.5], [np.nan, 0.5]]))
    assert coordinates[:3, 0].tolist() == pytest.approx([0.125, 0.375, 0.875])  # 16 < 32 < 128, evenly
    assert math.isnan(coordinates[3, 0])
    assert [encoding.decode(np.array([u, 0.5]))["batch"] for u in (0.1, 0.4, 0.6, 0.9)] == [1.0, 2.0, 3.0, 0.0]
    labels = SpaceEncoding({"batch": dist}, ordered=False)
    assert labels.specs[0].kind != DISCRETE


def _numeric_objective(trial: albacore.Trial) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumericCategoricalWarning)
        lr = trial.suggest_categorical("lr", [1e-5, 1e-4, 1e-3, 1e-2, 1e-1])
        units = trial.suggest_categorical("units", [256, 16, 64, 32, 128])
    return (math.log10(lr) + 3) ** 2 + (math.log2(units) - 6) ** 2


@pytest.mark.parametrize(
    "make",
    [
        lambda o: albacore.samplers.TPESampler(seed=1, n_startup_trials=5, order_numeric_choices=o),
        lambda o: albacore.samplers.GPSampler(seed=1, n_startup_trials=5, order_numeric_choices=o),
    ],
    ids=["tpe", "gp"],
)
@pytest.mark.parametrize("ordered", [True, False])
def test_model_based_samplers_suggest_exactly_the_listed_choices(make: Any, ordered: bool) -> None:
    study = albacore.create_study(sampler=make(ordered))
    study.optimize(_numeric_objective, n_trials=12)
    assert {t.params["lr"] for t in study.trials} <= {1e-5, 1e-4, 1e-3, 1e-2, 1e-1}
    assert {t.params["units"] for t in study.trials} <= {16, 32, 64, 128, 256}
    assert all(type(t.params["units"]) is int for t in study.trials)
