from __future__ import annotations

import math

import pytest

from albacore.exceptions import InvalidArgumentError
from albacore.pruners import ThresholdPruner


@pytest.mark.parametrize(
    ("pruner", "curve", "pruned"),
    [
        (ThresholdPruner(upper=1.0), {0: 0.5, 1: 1.5}, True),
        (ThresholdPruner(upper=1.0), {0: 1.5, 1: 0.5}, False),
        (ThresholdPruner(lower=0.0), {0: -0.1}, True),
        (ThresholdPruner(lower=0.0), {0: 0.0}, False),
        (ThresholdPruner(lower=0.0, upper=1.0), {0: 0.5}, False),
        (ThresholdPruner(lower=0.0, upper=1.0), {0: math.nan}, True),
        (ThresholdPruner(upper=1.0, n_warmup_steps=2), {0: 5.0, 1: 5.0}, False),
        (ThresholdPruner(upper=1.0, n_warmup_steps=2), {0: 5.0, 1: 5.0, 2: 5.0}, True),
        (ThresholdPruner(upper=1.0, interval_steps=2), {0: 0.0, 1: 5.0}, False),
        (ThresholdPruner(upper=1.0, interval_steps=2), {0: 0.0, 1: 0.0, 2: 5.0}, True),
        # Reports out of order: the latest step (not the latest report) is judged.
        (ThresholdPruner(upper=1.0), {3: 0.5, 1: 5.0}, False),
    ],
)
def test_decisions(pruner: ThresholdPruner, curve: dict[int, float], pruned: bool, make_study, run) -> None:
    assert run(make_study(pruner), curve) is pruned


def test_maximize_uses_the_same_bounds(make_study, run) -> None:
    assert run(make_study(ThresholdPruner(lower=0.5), direction="maximize"), {0: 0.1})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lower": 2.0, "upper": 1.0},
        {"upper": math.nan},
        {"upper": 1.0, "n_warmup_steps": -1},
        {"upper": 1.0, "interval_steps": 0},
    ],
)
def test_invalid_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgumentError):
        ThresholdPruner(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs", [{}, {"lower": None, "upper": None}, {"lower": "low"}, {"upper": "1.0"}])
def test_bounds_of_the_wrong_type_are_type_errors(kwargs: dict[str, object]) -> None:
    # Optuna raises TypeError here; albacore's error is both that and an InvalidArgumentError.
    with pytest.raises(TypeError) as caught:
        ThresholdPruner(**kwargs)  # type: ignore[arg-type]
    assert isinstance(caught.value, InvalidArgumentError)
