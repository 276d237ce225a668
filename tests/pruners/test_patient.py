from __future__ import annotations

import math

import pytest

from albacore.exceptions import InvalidArgumentError
from albacore.pruners import MedianPruner, NopPruner, PatientPruner


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_prunes_after_patience_runs_out(direction: str, make_study, run) -> None:
    sign = 1.0 if direction == "minimize" else -1.0
    pruner = PatientPruner(None, patience=2)
    study = make_study(pruner, direction=direction)
    stalled = {0: 1.0, 1: 2.0, 2: 2.0}
    assert not run(study, {s: sign * v for s, v in stalled.items()})
    assert run(study, {s: sign * v for s, v in {**stalled, 3: 2.0}.items()})
    assert not run(study, {s: sign * v for s, v in {**stalled, 3: 0.5}.items()})


def test_min_delta(make_study, run) -> None:
    # min_delta is a tolerance: getting worse by less than it is not yet losing patience.
    curve = {0: 1.0, 1: 1.05, 2: 1.05}
    assert run(make_study(PatientPruner(None, patience=1)), curve)
    assert not run(make_study(PatientPruner(None, patience=1, min_delta=0.1)), curve)


def test_wrapped_pruner_decides(make_study, run) -> None:
    curve = {0: 1.0, 1: 2.0, 2: 2.0}
    assert not run(make_study(PatientPruner(NopPruner(), patience=1)), curve)
    others = [{s: 0.0 for s in range(3)}] * 5
    assert run(make_study(PatientPruner(MedianPruner(), patience=1), others), curve)
    better = [{s: 9.0 for s in range(3)}] * 5
    assert not run(make_study(PatientPruner(MedianPruner(), patience=1), better), curve)


def test_steps_are_taken_in_step_order_and_nan_is_ignored(make_study, run) -> None:
    pruner = PatientPruner(None, patience=1)
    # Reported 2, 0, 1: in step order 1.0, then 3.0, 2.0 -> no improvement in the last two steps.
    assert run(make_study(pruner), {2: 2.0, 0: 1.0, 1: 3.0})
    assert not run(make_study(pruner), {0: 1.0, 1: math.nan, 2: 0.5})
    assert not run(make_study(pruner), {0: math.nan, 1: 5.0, 2: 5.0})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"wrapped_pruner": None, "patience": -1},
        {"wrapped_pruner": None, "patience": 1, "min_delta": -0.1},
        {"wrapped_pruner": "median", "patience": 1},
    ],
)
def test_invalid_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgumentError):
        PatientPruner(**kwargs)  # type: ignore[arg-type]
