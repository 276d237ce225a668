"""Constraints on every kind of trial, in both layouts a storage may hold."""

from __future__ import annotations

import math
from typing import Any

import pytest

import albacore
from albacore.distributions import FloatDistribution
from albacore.trial import BaseTrial, FixedTrial


def _trial(kind: str) -> BaseTrial:
    if kind == "fixed":
        return FixedTrial({"x": 1.0})
    if kind == "frozen":
        return albacore.create_trial(params={"x": 1.0}, distributions={"x": FloatDistribution(0, 2)}, value=0.0)
    return albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0)).ask()


@pytest.mark.parametrize("kind", ["running", "fixed", "frozen"])
def test_every_trial_kind_keeps_the_first_value_and_refuses_nan_and_non_numbers(kind: str) -> None:
    trial = _trial(kind)
    trial.set_constraint("cost", 1.5)
    with pytest.warns(UserWarning, match="already set"):
        trial.set_constraint("cost", -2.0)
    with pytest.raises(ValueError, match="NaN"):
        trial.set_constraint("limit", math.nan)
    with pytest.raises(TypeError):
        trial.set_constraint("limit", "low")  # type: ignore[arg-type]
    trial.set_constraint("limit", 2.5)
    assert trial.constraints == {"cost": 1.5, "limit": 2.5}


@pytest.mark.parametrize(
    ("system_attrs", "expected"),
    [
        ({"constraints": [1.5, -0.5, 2.0]}, {"0": 1.5, "1": -0.5, "2": 2.0}),  # samplers' constraints_func
        ({"constraints:cost": 2.5, "constraints:limit": 10.0}, {"cost": 2.5, "limit": 10.0}),  # set_constraint
        (
            {"constraints": [1.0, 2.0], "constraints:cost": 3.0, "constraints:limit": 4.0},
            {"0": 1.0, "1": 2.0, "cost": 3.0, "limit": 4.0},
        ),
    ],
)
def test_constraints_are_read_from_either_layout(system_attrs: dict[str, Any], expected: dict[str, float]) -> None:
    made = albacore.create_trial(
        value=1.0, params={"x": 5.0}, distributions={"x": FloatDistribution(-10, 10)}, system_attrs=system_attrs
    )
    assert made.constraints == expected


def test_create_trial_checks_its_constraints() -> None:
    common: dict[str, Any] = {"value": 0.2, "params": {"x": 1.0}, "distributions": {"x": FloatDistribution(0, 2)}}
    assert albacore.create_trial(**common, constraints={"cost": 1.5}).constraints == {"cost": 1.5}
    with pytest.raises(ValueError, match="NaN"):
        albacore.create_trial(**common, constraints={"cost": math.nan})
    with pytest.raises(TypeError):
        albacore.create_trial(**common, constraints={"cost": "foo"})
