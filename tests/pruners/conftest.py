from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

import albacore
from albacore.trial import TrialState

Curve = Mapping[int, float]


def _make_study(
    pruner: albacore.pruners.BasePruner,
    completed: list[Curve] = (),  # type: ignore[assignment]
    direction: str = "minimize",
    study_name: str | None = None,
    system_attrs: list[dict[str, Any]] | None = None,
) -> albacore.Study:
    study = albacore.create_study(pruner=pruner, direction=direction, study_name=study_name)
    for i, curve in enumerate(completed):
        last = curve[max(curve)] if curve else 0.0
        study.add_trial(
            albacore.create_trial(
                value=0.0 if last != last else last,
                intermediate_values=dict(curve),
                system_attrs=(system_attrs or [{}] * len(completed))[i],
            )
        )
    return study


def _run(study: albacore.Study, curve: Curve) -> bool:
    """Ask a trial, report ``curve`` in its order, and return the last should_prune() answer."""
    trial = study.ask()
    decision = False
    for step, value in curve.items():
        trial.report(value, step)
        decision = trial.should_prune()
    study.tell(trial, state=TrialState.PRUNED if decision else TrialState.FAIL)
    return decision


@pytest.fixture
def make_study() -> Callable[..., albacore.Study]:
    return _make_study


@pytest.fixture
def run() -> Callable[[albacore.Study, Curve], bool]:
    return _run
