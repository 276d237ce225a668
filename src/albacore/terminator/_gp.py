"""What the GP-based evaluators share: trials to a unit-box design, and the regret bound of a fitted GP.

The GP is the one :class:`~albacore.samplers.GPSampler` fits (Matern-5/2 ARD on the unit box, maximum a
posteriori, numpy and scipy only). Everything here works in the maximization frame: values are negated for a
minimized study before they reach it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from albacore.samplers._gp._optim import optimize_acquisition
from albacore.samplers._gp._regressor import GPRegressor
from albacore.samplers._gp._sampler import _clip_infinite
from albacore.samplers._search_space import intersection_search_space
from albacore.samplers._transform import SearchSpaceTransform
from albacore.study import StudyDirection
from albacore.trial import FrozenTrial, TrialState

__all__ = ["Design", "confidence_beta", "design_of", "max_ucb", "regret_bound"]

_UCB_SCREENING_POINTS = 2048


@dataclass(frozen=True)
class Design:
    """Completed trials as a GP sees them.

    Attributes:
        X: Parameters of each trial, encoded into the unit box (categoricals as choice indices).
        gains: Objective values in the maximization frame (negated for a minimized study), infinities clipped to
            the finite range.
        is_categorical: Which columns of ``X`` hold categorical indices.
        n_choices: Per column, the number of grid points or choices (0 for continuous).
    """

    X: np.ndarray
    gains: np.ndarray
    is_categorical: np.ndarray
    n_choices: np.ndarray


def design_of(trials: Sequence[FrozenTrial], direction: StudyDirection) -> Design | None:
    """The design of the completed trials over their intersection search space (None if it is empty).

    Trials keep the order they are given in.
    """
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    space = intersection_search_space(complete)
    if not space:
        return None
    transform = SearchSpaceTransform(space, one_hot=False)
    X = transform.encode_params([t.params for t in complete])
    sign = -1.0 if direction == StudyDirection.MINIMIZE else 1.0
    values = np.array([t.value for t in complete], dtype=float).reshape(-1, 1) * sign
    gains = _clip_infinite(values)[:, 0] if len(values) else values[:, 0]
    return Design(X, gains, transform.is_categorical, transform.n_choices)


def confidence_beta(n_params: int, n_trials: int, delta: float) -> float:
    """The confidence width (squared, in posterior standard deviations) of the bounds on the objective.

    The GP-UCB schedule of Srinivas et al. (2010), 2 log(d t^2 pi^2 / (6 delta)), divided by 5 as Makarova et
    al. (2022) do in their experiments.
    """
    return 2.0 * math.log(max(n_params, 1) * max(n_trials, 1) ** 2 * math.pi**2 / (6.0 * delta)) / 5.0


class _UpperConfidenceBound:
    """mean + sqrt(beta) * sd of a GP, with its gradient: the acquisition whose maximum bounds the optimum."""

    has_gradient = True

    def __init__(self, gp: GPRegressor, beta: float) -> None:
        self._gp = gp
        self._width = math.sqrt(max(beta, 0.0))

    def value(self, x: np.ndarray) -> np.ndarray:
        mean, var = self._gp.posterior(x)
        out: np.ndarray = mean + self._width * np.sqrt(var)
        return out

    def value_and_grad(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mean, var, dmean, dvar = self._gp.posterior_with_grad(x)
        sd = np.sqrt(var)
        return mean + self._width * sd, dmean + self._width * dvar / (2.0 * sd[:, None])


def max_ucb(
    gp: GPRegressor,
    beta: float,
    n_choices: np.ndarray,
    is_categorical: np.ndarray,
    rng: np.random.Generator,
    *,
    include: np.ndarray,
) -> float:
    """The largest upper confidence bound over the search space (and at the rows of ``include``)."""
    acqf = _UpperConfidenceBound(gp, beta)
    point = optimize_acquisition(
        acqf, n_choices, is_categorical, rng, warm_starts=include[:2], n_preliminary=_UCB_SCREENING_POINTS
    )
    return float(max(np.max(acqf.value(include)), acqf.value(point[None, :])[0]))


def regret_bound(
    gp: GPRegressor,
    X: np.ndarray,
    n_choices: np.ndarray,
    is_categorical: np.ndarray,
    rng: np.random.Generator,
    delta: float,
) -> float:
    """max UCB over the space minus max LCB over the evaluated points ``X``, in the GP's (standardized) units.

    With high probability under the GP, the best point evaluated is within this of the optimum (Makarova et
    al., 2022, in the maximization frame).
    """
    beta = confidence_beta(X.shape[1], len(X), delta)
    mean, var = gp.posterior(X)
    best_lower = float(np.max(mean - math.sqrt(beta) * np.sqrt(var)))
    return max_ucb(gp, beta, n_choices, is_categorical, rng, include=X) - best_lower
