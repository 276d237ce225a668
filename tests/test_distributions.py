from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

import albacore
from albacore import distributions
from albacore.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    check_distribution_compatibility,
    distribution_to_json,
    json_to_distribution,
)
from albacore.exceptions import IncompatibleDistributionError, InvalidDistributionError


@pytest.mark.parametrize(
    "dist",
    [
        FloatDistribution(-1.5, 2.0),
        FloatDistribution(1e-5, 1e-2, log=True),
        FloatDistribution(0.0, 1.0, step=0.25),
        IntDistribution(1, 9),
        IntDistribution(1, 1024, log=True),
        IntDistribution(0, 10, step=2),
        CategoricalDistribution([None, True, 1, 2.5, "adam"]),
    ],
)
def test_json_round_trip(dist: object) -> None:
    assert json_to_distribution(distribution_to_json(dist)) == dist  # type: ignore[arg-type]


def test_legacy_json_names_are_read() -> None:
    legacy = '{"name": "LogUniformDistribution", "attributes": {"low": 0.001, "high": 1.0}}'
    assert json_to_distribution(legacy) == FloatDistribution(0.001, 1.0, log=True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"low": math.nan, "high": 1.0}, "`low` must be finite"),
        ({"low": 0.0, "high": math.inf}, "`high` must be finite"),
        ({"low": 2.0, "high": 1.0}, "`low` must be <= `high`"),
        ({"low": 0.0, "high": 1.0, "log": True}, "`low` must be > 0 when log=True"),
        ({"low": 0.0, "high": 1.0, "step": 0.0}, "`step` must be > 0"),
        ({"low": 0.0, "high": 1.0, "step": -0.1}, "`step` must be > 0"),
        ({"low": 0.1, "high": 1.0, "step": 0.1, "log": True}, "cannot be used together"),
    ],
)
def test_float_distribution_rejects_bad_ranges(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidDistributionError, match=message):
        FloatDistribution(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"low": 3, "high": 1}, "`low` must be <= `high`"),
        ({"low": 0, "high": 10, "log": True}, "`low` must be >= 1 when log=True"),
        ({"low": 0, "high": 10, "step": 0}, "`step` must be >= 1"),
        ({"low": 1, "high": 10, "step": 2, "log": True}, "cannot be used together"),
        ({"low": 0.5, "high": 10}, "`low` must be an integer"),
    ],
)
def test_int_distribution_rejects_bad_ranges(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidDistributionError, match=message):
        IntDistribution(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("low", "high", "step"),
    [
        (-2.947730761646074e249, 0.0, 2.947730761646074e-151),  # found by the fuzz test: 1e400 steps
        (-1.7976931348623157e308, 1.7976931348623157e308, 5e-324),  # the widest range, the smallest step
    ],
)
def test_a_step_far_finer_than_the_range_keeps_the_bound_exact(low: float, high: float, step: float) -> None:
    dist = FloatDistribution(low, high, step=step)
    assert dist.low == low and low <= dist.high <= high


def test_step_not_dividing_range_warns_and_names_the_adjusted_bound() -> None:
    with pytest.warns(UserWarning, match="adjusted to 0.9"):
        dist = FloatDistribution(0.0, 1.0, step=0.3)
    assert dist.high == pytest.approx(0.9)
    with pytest.warns(UserWarning, match="adjusted to 9"):
        assert IntDistribution(1, 10, step=2).high == 9


def test_categorical_choices_are_checked() -> None:
    with pytest.raises(InvalidDistributionError, match="at least one value"):
        CategoricalDistribution([])
    with pytest.raises(InvalidDistributionError, match=r"got \[1, 2\] of type list"):
        CategoricalDistribution([[1, 2], "x"])  # type: ignore[list-item]
    with pytest.raises(InvalidDistributionError, match="sequence"):
        CategoricalDistribution("abc")


def test_numpy_scalar_choices_become_python_values() -> None:
    dist = CategoricalDistribution(np.arange(3))  # type: ignore[arg-type]
    assert dist.choices == (0, 1, 2)
    assert all(type(c) is int for c in dist.choices)


def test_internal_representation() -> None:
    cat = CategoricalDistribution(["a", None, 1])
    assert cat.to_internal_repr(None) == 1.0
    assert cat.to_external_repr(2.0) == 1
    assert CategoricalDistribution([1, True]).to_internal_repr(True) == 1.0  # True is not 1 here
    assert IntDistribution(0, 5).to_external_repr(3.0) == 3
    assert FloatDistribution(0, 1, step=0.5)._contains(0.5)
    assert not FloatDistribution(0, 1, step=0.5)._contains(0.25)
    assert IntDistribution(0, 10, step=5).single() is False
    assert IntDistribution(3, 3).single() is True


def test_compatibility() -> None:
    check_distribution_compatibility(FloatDistribution(0, 1), FloatDistribution(0, 5))
    with pytest.raises(IncompatibleDistributionError, match="kind of distribution"):
        check_distribution_compatibility(FloatDistribution(0, 1), IntDistribution(0, 1))
    with pytest.raises(IncompatibleDistributionError, match="choices"):
        check_distribution_compatibility(CategoricalDistribution(["a"]), CategoricalDistribution(["a", "b"]))


def test_distributions_are_immutable_and_hashable() -> None:
    dist = FloatDistribution(0, 1)
    with pytest.raises(AttributeError):
        dist.low = 3  # type: ignore[misc]
    assert len({dist, FloatDistribution(0, 1), FloatDistribution(0, 2)}) == 2


@pytest.mark.parametrize(
    ("make", "current"),
    [
        (lambda: distributions.UniformDistribution(0, 10), FloatDistribution(0, 10)),
        (lambda: distributions.LogUniformDistribution(1, 10), FloatDistribution(1, 10, log=True)),
        (lambda: distributions.DiscreteUniformDistribution(0, 10, q=2), FloatDistribution(0, 10, step=2)),
        (lambda: distributions.IntUniformDistribution(0, 10, step=2), IntDistribution(0, 10, step=2)),
        (lambda: distributions.IntLogUniformDistribution(1, 10), IntDistribution(1, 10, log=True)),
    ],
)
def test_deprecated_distributions_warn_and_stand_for_current_ones(
    make: Callable[[], BaseDistribution], current: BaseDistribution
) -> None:
    with pytest.warns(FutureWarning, match="deprecated since v3.0.0 and goes away in v6.0.0"):
        old = make()
    assert isinstance(old, type(current))
    assert distributions.json_to_distribution(distributions.distribution_to_json(old)) == current
    distributions.check_distribution_compatibility(old, current)  # the same kind: no error
    study = albacore.create_study()
    with pytest.warns(FutureWarning, match=r"use .*Distribution\(.*\) instead\. See https://") as caught:
        trial = study.ask({"p": old})  # converted where it enters a trial, with a warning of its own
    assert len(caught) == 1
    study.tell(trial, 0.0)
    assert study.trials[0].distributions["p"] == current
    with pytest.warns(FutureWarning):
        made = albacore.create_trial(params={"p": 2}, distributions={"p": old}, value=0.0)
    assert type(made.distributions["p"]) is type(current)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"type": "int", "low": 1, "high": 9}', IntDistribution(1, 9)),
        ('{"type": "int", "low": 2, "high": 12, "log": true, "step": 1}', IntDistribution(2, 12, log=True)),
        ('{"type": "int", "low": 1, "high": 9, "step": 2}', IntDistribution(1, 9, step=2)),
        (
            '{"type": "float", "low": 0.001, "high": 100, "log": true, "step": null}',
            FloatDistribution(1e-3, 100, log=True),
        ),
        ('{"type": "float", "low": 1.0, "high": 9.0, "step": 2.0}', FloatDistribution(1, 9, step=2)),
        (
            '{"type": "categorical", "choices": [null, true, 0, 1.5, "a"]}',
            CategoricalDistribution([None, True, 0, 1.5, "a"]),
        ),
    ],
)
def test_the_short_hand_written_form_is_read(text: str, expected: BaseDistribution) -> None:
    assert json_to_distribution(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        '{"type": "unknown", "low": 1.0, "high": 2.0}',
        '{"type": "float", "low": 0.0, "high": -100.0}',
        '{"type": "float", "low": 7.3, "high": 7.2, "log": true}',
        '{"type": "float", "low": 1.0, "high": 100.0, "step": 0.0}',
        '{"type": "int", "low": 123, "high": 100, "step": 2}',
        '{"type": "int", "low": 1, "high": 100, "step": -1}',
        '{"type": "categorical", "choices": []}',
        '{"type": "float", "low": 1.0, "high": 2.0, "base": 10}',
    ],
)
def test_a_bad_short_form_is_refused(text: str) -> None:
    with pytest.raises(InvalidDistributionError):
        json_to_distribution(text)


def test_the_scale_of_a_parameter_cannot_change_but_its_range_and_step_can() -> None:
    for old, new in [
        (IntDistribution(1, 9), IntDistribution(2, 12, log=True)),
        (IntDistribution(2, 12, log=True), IntDistribution(1, 9, step=2)),
        (FloatDistribution(1, 2), FloatDistribution(1e-3, 1, log=True)),
        (FloatDistribution(1e-3, 1, log=True), FloatDistribution(1, 9, step=2)),
    ]:
        with pytest.raises(IncompatibleDistributionError, match="scale"):
            check_distribution_compatibility(old, new)
    check_distribution_compatibility(IntDistribution(1, 9, step=2), IntDistribution(-3, 2))
    check_distribution_compatibility(FloatDistribution(1, 9, step=2), FloatDistribution(-1, 11, step=0.5))
    check_distribution_compatibility(FloatDistribution(1e-3, 1, log=True), FloatDistribution(0.1, 1, log=True))


@pytest.mark.parametrize(
    ("dist", "value"),
    [
        (FloatDistribution(2, 7, log=True), 0.0),
        (FloatDistribution(2, 7, log=True), -1.0),
        (IntDistribution(1, 10, log=True), 0),
    ],
)
def test_values_a_log_scale_cannot_hold_are_refused(dist: BaseDistribution, value: float) -> None:
    with pytest.raises(InvalidDistributionError, match="log scale"):
        dist.to_internal_repr(value)


def test_a_step_grid_holds_more_than_one_point_despite_binary_rounding() -> None:
    assert not FloatDistribution(0.2, 0.3, step=0.1).single()  # 0.3 - 0.2 < 0.1 in binary floating point
    assert FloatDistribution(0.2, 0.2, step=0.1).single()
    assert FloatDistribution._trusted(0.0, 0.07, False, 0.1).single()  # an unadjusted range as stored elsewhere


def test_distribution_classes_lists_every_class() -> None:
    assert set(distributions.DISTRIBUTION_CLASSES) == {
        getattr(distributions, name) for name in distributions.__all__ if name.endswith("Distribution")
    } - {BaseDistribution}
