"""EMMREvaluator: a bound on how much the latest trial changed the expected minimum simple regret."""

from __future__ import annotations

import math
import sys
import warnings

import numpy as np
import scipy.special

from albacore._blas import single_threaded_blas
from albacore.samplers._gp._regressor import GPRegressor, fit_gp
from albacore.samplers._gp._sampler import _standardize
from albacore.study import StudyDirection
from albacore.terminator._gp import design_of, regret_bound
from albacore.terminator._improvement import BaseImprovementEvaluator, check_count
from albacore.trial import FrozenTrial, TrialState

__all__ = ["MARGIN_FOR_NUMARICAL_STABILITY", "EMMREvaluator"]

MARGIN_FOR_NUMARICAL_STABILITY = 0.1
""":meth:`EMMREvaluator.evaluate` returns ``sys.float_info.max`` times this when it cannot judge yet (the name
is Optuna's, spelling included, so code that reads it runs unchanged)."""

_DO_NOT_TERMINATE = sys.float_info.max * MARGIN_FOR_NUMARICAL_STABILITY
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class EMMREvaluator(BaseImprovementEvaluator):
    """Expected minimum model regret (Ishibashi et al., 2023): how much the last trial moved the regret.

    The expected minimum simple regret reaches zero only once the optimum is found; this evaluator bounds its
    change between the study without and with its latest completed trial, from two Gaussian processes
    (albacore's own GP, no torch): one fitted to every completed trial but the last, one to all of them. The
    bound adds the change of the GP's best mean, an expected-improvement-like term of the two incumbents, and
    the regret bound of the earlier GP times the square root of half the KL divergence between the two
    posteriors. Values are in standardized units of the objective; pair it with :class:`MedianErrorEvaluator`,
    which compares it with its own early values.

    Args:
        deterministic_objective: The objective has no noise: fix the GP's noise at a tiny value.
        delta: The confidence level of the regret bound (smaller is more conservative).
        min_n_trials: Completed trials needed before the criterion is computed (at least 2).
        seed: Seed of the random screening points of the search for the largest upper confidence bound.

    Raises:
        ValueError: If ``min_n_trials`` is below 2.

    Example:
        >>> import albacore
        >>> from albacore.terminator import EMMREvaluator
        >>> study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=8)
        >>> criterion = EMMREvaluator(seed=0).evaluate(study.trials, study.direction)
        >>> math.isfinite(criterion)
        True
    """

    def __init__(
        self,
        deterministic_objective: bool = False,
        delta: float = 0.1,
        min_n_trials: int = 2,
        seed: int | None = None,
    ) -> None:
        self.min_n_trials = check_count("min_n_trials", min_n_trials, minimum=2)
        self._deterministic = bool(deterministic_objective)
        self._delta = float(delta)
        self._rng = np.random.default_rng(seed)

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        """The bound on the change of the expected minimum simple regret made by the latest completed trial.

        Returns ``sys.float_info.max * MARGIN_FOR_NUMARICAL_STABILITY`` (never stop) with fewer than
        ``min_n_trials`` completed trials, or (with a warning) when they share no parameter.
        """
        if sum(t.state == TrialState.COMPLETE for t in trials) < self.min_n_trials:
            return _DO_NOT_TERMINATE
        design = design_of(trials, study_direction)
        if design is None:
            warnings.warn(
                f"{type(self).__name__} cannot judge a study whose completed trials share no parameter (their "
                "intersection search space is empty); it will never stop this study.",
                UserWarning,
                stacklevel=2,
            )
            return _DO_NOT_TERMINATE
        with single_threaded_blas():
            criterion = self._criterion(design.X, design.gains, design.is_categorical, design.n_choices)
        return min(sys.float_info.max * 0.5, criterion)

    def _criterion(self, X: np.ndarray, gains: np.ndarray, is_categorical: np.ndarray, n_choices: np.ndarray) -> float:
        y, _, _ = _standardize(gains)
        X_before, y_before = X[:-1], y[:-1]
        gp_before = fit_gp(X_before, y_before, is_categorical, deterministic=self._deterministic)
        gp_now = fit_gp(X, y, is_categorical, initial=gp_before.params, deterministic=self._deterministic)
        best_now, best_before = X[int(np.argmax(y))], X_before[int(np.argmax(y_before))]

        # The incumbents' posterior means, and the spread of their difference under the current GP.
        mean_best_now = float(gp_now.posterior(best_now[None, :])[0][0])
        mean_best_before = float(gp_before.posterior(best_before[None, :])[0][0])
        cov = gp_now.posterior_covariance(np.stack([best_now, best_before]))
        spread = math.sqrt(max(1e-10, float(cov[0, 0] - 2.0 * cov[0, 1] + cov[1, 1])))
        g = (mean_best_now - mean_best_before) / spread
        incumbent_change = (
            (mean_best_before - mean_best_now)
            + spread * _INV_SQRT_2PI * math.exp(-0.5 * g * g)
            + spread * g * float(scipy.special.ndtr(g))
        )

        # KL divergence between the posteriors before and after the last observation, both under the current
        # kernel (the same prior): the earlier data's prediction at the new point against what was observed.
        noise = gp_now.params.noise_var
        prediction = GPRegressor(X_before, y_before, is_categorical, gp_now.params)
        mean, var = (float(a[0]) for a in prediction.posterior(X[-1:]))
        kl = 0.5 * (
            math.log1p(var / noise) - var / (var + noise) + var * (float(y[-1]) - mean) ** 2 / (var + noise) ** 2
        )
        kappa = regret_bound(gp_before, X_before, n_choices, is_categorical, self._rng, self._delta)
        return incumbent_change + kappa * math.sqrt(max(0.5 * kl, 0.0))
