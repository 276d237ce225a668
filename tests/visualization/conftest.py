"""Studies that exercise every plot: mixed parameter kinds, conditional parameters, every trial state,
constraints and non-finite values; matplotlib on the Agg backend, with every figure closed after each test."""

from __future__ import annotations

import datetime
import logging
import math
from collections.abc import Iterator

import numpy as np
import pytest

import albacore
from albacore.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.study import Study
from albacore.trial import TrialState, create_trial

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend is chosen first

LR = FloatDistribution(1e-5, 1e-1, log=True)
LAYERS = IntDistribution(1, 4)
DROPOUT = FloatDistribution(0.0, 0.5, step=0.1)
OPTIMIZER = CategoricalDistribution(["sgd", "adam"])
MOMENTUM = FloatDistribution(0.0, 1.0)
BATCH = CategoricalDistribution([128, 16, 32, 64])  # numeric choices, listed out of order
CODE = CategoricalDistribution(["10", "2", "1"])  # numeric-looking strings: kept as the user listed them
NORM = CategoricalDistribution([None, "batch"])


@pytest.fixture(autouse=True)
def _close_figures_and_validate_plotly(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The renderers skip plotly's validation for speed; here every trace and layout they build is validated.
    monkeypatch.setattr("albacore.visualization._plotly.VALIDATE", True)
    yield
    plt.close("all")


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname} {record.getMessage()}")

    @property
    def text(self) -> str:
        return "\n".join(self.messages)


@pytest.fixture
def albacore_log() -> Iterator[_Records]:
    """What albacore logged during the test, whatever verbosity other tests left set."""
    logger = logging.getLogger("albacore")
    records = _Records()
    level = albacore.logging.get_verbosity()
    albacore.logging.set_verbosity(albacore.logging.INFO)
    logger.addHandler(records)
    yield records
    logger.removeHandler(records)
    albacore.logging.set_verbosity(level)


def _params(rng: np.random.Generator) -> tuple[dict[str, object], dict[str, object]]:
    params: dict[str, object] = {
        "lr": float(10 ** rng.uniform(-5, -1)),
        "layers": int(rng.integers(1, 5)),
        "dropout": round(float(rng.integers(0, 6)) * 0.1, 1),
        "optimizer": str(rng.choice(["sgd", "adam"])),
        "batch": int(rng.choice([128, 16, 32, 64])),
        "code": str(rng.choice(["10", "2", "1"])),
        "norm": [None, "batch"][int(rng.integers(0, 2))],
    }
    dists: dict[str, object] = {
        "lr": LR,
        "layers": LAYERS,
        "dropout": DROPOUT,
        "optimizer": OPTIMIZER,
        "batch": BATCH,
        "code": CODE,
        "norm": NORM,
    }
    if params["optimizer"] == "sgd":  # a conditional parameter
        params["momentum"] = float(rng.uniform(0, 1))
        dists["momentum"] = MOMENTUM
    return params, dists


def _loss(params: dict[str, object]) -> float:
    return float(abs(math.log10(float(params["lr"])) + 3) + 0.1 * int(params["layers"])) + float(params["dropout"])


def make_mixed_study(n_trials: int = 30, *, seed: int = 0) -> Study:
    """A single-objective study with every parameter kind and every trial state.

    Trial 3 is PRUNED (with learning curve), 5 FAILED, 7 infeasible, 9 has an infinite value, the last RUNNING.
    """
    rng = np.random.default_rng(seed)
    study = albacore.create_study(study_name=f"mixed-{seed}")
    start = datetime.datetime(2026, 1, 1, 12, 0, 0)
    for number in range(n_trials):
        params, dists = _params(rng)
        loss = _loss(params)
        curve = {step: loss + 1.0 / (step + 1) for step in range(5)}
        kwargs: dict[str, object] = {"params": params, "distributions": dists}
        if number == 3:
            trial = create_trial(state=TrialState.PRUNED, intermediate_values=dict(list(curve.items())[:2]), **kwargs)
        elif number == 5:
            trial = create_trial(state=TrialState.FAIL, **kwargs)
        elif number == n_trials - 1:
            trial = create_trial(state=TrialState.RUNNING, intermediate_values={0: 2.0}, **kwargs)
        else:
            value = math.inf if number == 9 else loss
            trial = create_trial(
                value=value,
                intermediate_values=curve,
                constraints={"budget": 1.0 if number == 7 else -1.0},
                **kwargs,
            )
        trial.datetime_start = start + datetime.timedelta(seconds=10 * number)
        if trial.state != TrialState.RUNNING:
            trial.datetime_complete = trial.datetime_start + datetime.timedelta(seconds=5)
        else:
            trial.datetime_complete = None
        study.add_trial(trial)
    return study


def make_multi_objective_study(n_trials: int = 30, *, seed: int = 0, constrained: bool = True) -> Study:
    """A two-objective study (minimize, maximize) with constraints on every third trial."""
    rng = np.random.default_rng(seed)
    study = albacore.create_study(directions=["minimize", "maximize"], study_name=f"multi-{seed}")
    for number in range(n_trials):
        x, y = float(rng.uniform(0, 1)), float(rng.uniform(0, 1))
        constraints = {"c": 1.0 if number % 3 == 0 else -1.0} if constrained else None
        study.add_trial(
            create_trial(
                values=[x**2 + y, 1 - (x - 1) ** 2 + y],
                params={"x": x, "y": y},
                distributions={"x": FloatDistribution(0, 1), "y": FloatDistribution(0, 1)},
                constraints=constraints,
            )
        )
    return study


@pytest.fixture
def mixed_study() -> Study:
    return make_mixed_study()


@pytest.fixture
def multi_study() -> Study:
    return make_multi_objective_study()
