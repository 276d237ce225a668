"""Gaussian-process regression with a Matern-5/2 ARD kernel on the unit box, fitted by maximum a posteriori.

Numeric columns enter the kernel through squared differences, categorical (index-encoded) columns through a
Hamming term (0 for equal choices, 1 otherwise), each scaled by its own inverse squared lengthscale. Targets are
standardized by the caller. Every quantity is vectorized over training points, candidates and dimensions; the
Cholesky factor is computed once per fit and reused by every prediction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.linalg.lapack
import scipy.optimize

from albacore.samplers._gp._conditional import Activity

__all__ = ["GPRegressor", "KernelParams", "fit_gp"]

_SQRT5 = math.sqrt(5.0)
_MIN_NOISE = 1e-6
_DETERMINISTIC_NOISE = 1e-6
_LOG_ILS_BOUNDS = (math.log(1e-3), math.log(1e4))
_ILS_PRIOR_MEAN, _ILS_PRIOR_SD = 1.0, 1.0
_LAZY_REFIT_FROM = 30
_NOISE_PRIOR_MEAN, _NOISE_PRIOR_SD = math.log(1e-4), 3.0
_LOG_SCALE_BOUNDS = (math.log(1e-2), math.log(1e2))
_LOG_NOISE_BOUNDS = (math.log(_MIN_NOISE), 0.0)
_BLOCK_ROWS = 256


@dataclass(frozen=True)
class KernelParams:
    """Hyperparameters of the kernel: inverse squared lengthscales, output scale and noise variance."""

    inverse_squared_lengthscales: np.ndarray
    kernel_scale: float
    noise_var: float

    def to_vector(self) -> np.ndarray:
        """Pack into the log-space vector that the optimizer works on."""
        return np.concatenate(
            [np.log(self.inverse_squared_lengthscales), [math.log(self.kernel_scale), math.log(self.noise_var)]]
        )

    @classmethod
    def from_vector(cls, vector: np.ndarray) -> KernelParams:
        """Unpack the log-space vector of :meth:`to_vector`."""
        return cls(np.exp(vector[:-2]), math.exp(float(vector[-2])), math.exp(float(vector[-1])))


def _pairwise_sq_dists(a: np.ndarray, b: np.ndarray, is_categorical: np.ndarray) -> np.ndarray:
    """Per-dimension distances (len(a), len(b), d): squared differences, or mismatch flags for categoricals."""
    diff = a[:, None, :] - b[None, :, :]
    out: np.ndarray = np.where(is_categorical, (diff != 0.0).astype(float), diff * diff)
    return out


def _matern52(r2: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the kernel and its derivative with respect to the squared scaled distance ``r2``."""
    k, sr, e = _matern52_parts(r2, scale)
    # -(5/6) scale (1 + sqrt(5) r) e, reusing 1 + sqrt(5) r from the kernel.
    sr *= -(5.0 / 6.0) * scale
    sr *= e
    return k, sr


def _matern52_value(r2: np.ndarray, scale: float) -> np.ndarray:
    """The kernel alone, for predictions that need no gradient."""
    return _matern52_parts(r2, scale)[0]


def _matern52_parts(r2: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """scale (1 + sqrt(5) r + 5/3 r^2) e with e = exp(-sqrt(5) r), and the 1 + sqrt(5) r and e it is made of.

    Computed in place, on the hottest arrays of the sampler (candidates x trials), in the same order of
    floating-point operations as the plain formula, so the results are identical to the last bit.
    """
    r = np.maximum(r2, 0.0)
    np.sqrt(r, out=r)
    r *= _SQRT5
    e = np.negative(r)
    np.exp(e, out=e)
    r += 1.0
    k = np.multiply(r2, 5.0 / 3.0)
    k += r
    k *= scale
    k *= e
    return k, r, e


class GPRegressor:
    """A fitted GP: posterior mean and variance (and their gradients) at new unit-box points.

    Args:
        X: Training inputs (n, d).
        y: Standardized training targets (n,).
        is_categorical: Which of the d columns hold categorical indices.
        params: Kernel hyperparameters.
        activity: Rules of conditional parameters, applied to every point the GP is asked about.
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        is_categorical: np.ndarray,
        params: KernelParams,
        activity: Activity | None = None,
    ) -> None:
        self.X = X
        self.activity = activity
        self.y = y
        self.is_categorical = is_categorical
        self.params = params
        ils = params.inverse_squared_lengthscales
        # Per-GP constants of the predictions, which run thousands of times per trial on small batches.
        self._numeric = None if not is_categorical.any() else ~is_categorical  # None: every column is numeric
        self._categorical_columns = np.flatnonzero(is_categorical)
        self._sqrt_ils = np.sqrt(ils if self._numeric is None else ils[self._numeric])
        self._gradient_scale = np.where(is_categorical, 0.0, 2.0 * ils)
        self._scaled_train = self._numeric_part(X) * self._sqrt_ils
        self._train_sq_norms = np.sum(self._scaled_train**2, axis=1)
        k = _matern52_value(
            _pairwise_sq_dists(X, X, is_categorical) @ params.inverse_squared_lengthscales, params.kernel_scale
        )
        k[np.diag_indices_from(k)] += params.noise_var
        self._chol = _robust_cholesky(k)
        self.alpha = _cho_solve(self._chol, y)

    def with_observations(self, X_new: np.ndarray, y_new: np.ndarray) -> GPRegressor:
        """Return the GP refitted (same hyperparameters) with extra observations; used for kriging believers."""
        return GPRegressor(
            np.vstack([self.X, X_new]),
            np.concatenate([self.y, y_new]),
            self.is_categorical,
            self.params,
            self.activity,
        )

    def _numeric_part(self, x: np.ndarray) -> np.ndarray:
        return x if self._numeric is None else x[:, self._numeric]

    def _scaled_sq_dists(self, x: np.ndarray) -> np.ndarray:
        """Squared ARD distances (len(x), n) by matrix products, without a (len(x), n, d) tensor."""
        ils = self.params.inverse_squared_lengthscales
        a = self._numeric_part(x) * self._sqrt_ils
        b = self._scaled_train
        # |a|^2 + |b|^2 - 2 a.b, clipped at 0, in place (candidates x trials is the largest array of a trial).
        cross = a @ b.T
        cross *= 2.0
        r2: np.ndarray = np.sum(a * a, axis=1)[:, None] + self._train_sq_norms[None, :]
        r2 -= cross
        np.maximum(r2, 0.0, out=r2)
        for col in self._categorical_columns:
            r2 += ils[col] * (x[:, col, None] != self.X[None, :, col])
        return r2

    def posterior(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and variance of the latent function at the rows of ``x``."""
        if self.activity is not None:
            x, _ = self.activity.apply(x)
        if len(x) <= _BLOCK_ROWS:
            return self._block_posterior(x)
        # Blocks of rows keep the candidates x trials arrays small: a fresh multi-megabyte array costs a page
        # fault per 4 KiB page, which made screening thousands of candidates 2-3x slower than these blocks
        # (whose rows are computed exactly as they would be in one piece).
        blocks = [self._block_posterior(x[start : start + _BLOCK_ROWS]) for start in range(0, len(x), _BLOCK_ROWS)]
        return np.concatenate([b[0] for b in blocks]), np.concatenate([b[1] for b in blocks])

    def _block_posterior(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = _matern52_value(self._scaled_sq_dists(x), self.params.kernel_scale)
        mean = k @ self.alpha
        v = _solve_lower(self._chol, k.T)
        var = np.maximum(self.params.kernel_scale - np.einsum("ij,ij->j", v, v), 1e-12)
        return mean, var

    def posterior_covariance(self, x: np.ndarray) -> np.ndarray:
        """Joint posterior covariance (len(x), len(x)) of the latent function at the rows of ``x``."""
        if self.activity is not None:
            x, _ = self.activity.apply(x)
        prior = _matern52_value(
            _pairwise_sq_dists(x, x, self.is_categorical) @ self.params.inverse_squared_lengthscales,
            self.params.kernel_scale,
        )
        v = _solve_lower(self._chol, _matern52_value(self._scaled_sq_dists(x), self.params.kernel_scale).T)
        out: np.ndarray = prior - v.T @ v
        return out

    def posterior_with_grad(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Posterior mean and variance and their gradients (b, d) with respect to ``x``; zero on categoricals."""
        inactive = None
        if self.activity is not None:
            x, inactive = self.activity.apply(x)
        k, dk_dr2 = _matern52(self._scaled_sq_dists(x), self.params.kernel_scale)
        mean = k @ self.alpha
        kinv_k = _cho_solve(self._chol, k.T).T
        var = self.params.kernel_scale - np.einsum("bn,bn->b", k, kinv_k)
        # d r2 / d x = 2 ils (x - X_n) on numeric columns, so sum_n w_n d k_n / d x = 2 ils (x sum_n w_n - w @ X)
        # for any weights w: both gradients are two matrix products. Categorical columns are searched, not
        # differentiated.
        w_mean = dk_dr2 * self.alpha[None, :]
        w_var = dk_dr2 * kinv_k
        scale = self._gradient_scale
        dmean = scale * (x * w_mean.sum(axis=1, keepdims=True) - w_mean @ self.X)
        dvar = -2.0 * scale * (x * w_var.sum(axis=1, keepdims=True) - w_var @ self.X)
        clipped = var < 1e-12
        var = np.where(clipped, 1e-12, var)
        dvar[clipped] = 0.0
        if inactive is not None:  # an inactive column is replaced by a constant: it has no gradient
            dmean[inactive] = 0.0
            dvar[inactive] = 0.0
        return mean, var, dmean, dvar


def _cho_solve(chol: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve K x = b from the lower Cholesky factor of K.

    LAPACK's potrs called directly: the same routine as ``scipy.linalg.cho_solve``, whose argument checks cost
    more than the solve itself at these sizes, thousands of times per trial.
    """
    x, info = scipy.linalg.lapack.dpotrs(chol, b, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"potrs failed with info={info}.")
    out: np.ndarray = x
    return out


def _solve_lower(chol: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve L x = b for the lower triangular ``chol`` (LAPACK's trtrs, called directly, as above)."""
    x, info = scipy.linalg.lapack.dtrtrs(chol, b, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"trtrs failed with info={info}.")
    out: np.ndarray = x
    return out


def _robust_cholesky(k: np.ndarray) -> np.ndarray:
    jitter = 0.0
    for _ in range(8):
        try:
            out: np.ndarray = np.linalg.cholesky(k + jitter * np.eye(len(k)) if jitter else k)
            return out
        except np.linalg.LinAlgError:
            jitter = 1e-8 if jitter == 0.0 else jitter * 10.0
    raise np.linalg.LinAlgError("The kernel matrix is not positive definite even with jitter.")


def _log_prior_and_grad(vector: np.ndarray) -> tuple[float, np.ndarray]:
    """Log prior density (up to a constant) of the log-space hyperparameters, and its gradient.

    Log inverse squared lengthscales are normal around 1 with unit deviation: lengthscales near 0.6 of the unit
    box, and a dimension is rarely judged irrelevant (a very long lengthscale), because a model sure that a
    dimension does not matter stops exploring it and settles in a local optimum; on Hartmann6 this prior found
    the global optimum from far more seeds than wider ones. The output scale is centred on 1 (targets are
    standardized) and the noise is pulled toward small values, as most objectives tuned this way are nearly
    deterministic.
    """
    log_ils, log_scale, log_noise = vector[:-2], vector[-2], vector[-1]
    lp = -0.5 * float(np.sum(((log_ils - _ILS_PRIOR_MEAN) / _ILS_PRIOR_SD) ** 2))
    lp -= 0.5 * float(log_scale**2)
    lp -= 0.5 * float(((log_noise - _NOISE_PRIOR_MEAN) / _NOISE_PRIOR_SD) ** 2)
    grad = np.concatenate(
        [
            -(log_ils - _ILS_PRIOR_MEAN) / _ILS_PRIOR_SD**2,
            [-log_scale, -(log_noise - _NOISE_PRIOR_MEAN) / _NOISE_PRIOR_SD**2],
        ]
    )
    return lp, grad


def _neg_log_posterior(
    vector: np.ndarray, dists: np.ndarray, y: np.ndarray, fixed_noise: float | None
) -> tuple[float, np.ndarray]:
    n, _, d = dists.shape
    if fixed_noise is not None:
        vector = np.concatenate([vector, [math.log(fixed_noise)]])
    ils = np.exp(vector[:d])
    scale = math.exp(float(vector[d]))
    noise = math.exp(float(vector[d + 1]))
    k, dk_dr2 = _matern52(dists @ ils, scale)
    k_noisy = k.copy()
    k_noisy[np.diag_indices(n)] += noise
    try:
        chol = np.linalg.cholesky(k_noisy)
    except np.linalg.LinAlgError:
        return 1e10, np.zeros(len(vector) - (fixed_noise is not None))
    alpha = _cho_solve(chol, y)
    nll = 0.5 * float(y @ alpha) + float(np.sum(np.log(np.diag(chol)))) + 0.5 * n * math.log(2.0 * math.pi)
    # d nll / d theta = 0.5 * tr(W dK/dtheta) with W = K^-1 - alpha alpha^T.
    k_inv, info = scipy.linalg.lapack.dpotri(chol, lower=1)
    if info != 0:
        return 1e10, np.zeros(len(vector) - (fixed_noise is not None))
    k_inv = np.tril(k_inv) + np.tril(k_inv, -1).T
    w = k_inv - np.outer(alpha, alpha)
    m = w * dk_dr2
    grad_ils = 0.5 * ils * (m.reshape(-1) @ dists.reshape(n * n, d))
    grad_scale = 0.5 * float(np.sum(w * k))
    grad_noise = 0.5 * noise * float(np.trace(w))
    lp, lp_grad = _log_prior_and_grad(vector)
    grad = np.concatenate([grad_ils, [grad_scale, grad_noise]]) - lp_grad
    if fixed_noise is not None:
        grad = grad[:-1]
    return nll - lp, grad


def fit_gp(
    X: np.ndarray,
    y: np.ndarray,
    is_categorical: np.ndarray,
    *,
    initial: KernelParams | None = None,
    deterministic: bool = False,
    activity: Activity | None = None,
) -> GPRegressor:
    """Fit the hyperparameters by maximum a posteriori (L-BFGS-B, analytic gradients) and return the GP.

    Args:
        X: Training inputs (n, d) in the unit box (categorical columns hold indices).
        y: Standardized targets (n,).
        is_categorical: Which columns are categorical.
        initial: Hyperparameters to start from (the previous fit, usually); defaults otherwise.
        deterministic: Fix the noise at a tiny value instead of fitting it.
        activity: Rules of conditional parameters (see ``_conditional``), kept by the returned GP.
    """
    d = X.shape[1]
    if (
        initial is not None
        and len(initial.inverse_squared_lengthscales) == d
        and len(X) >= _LAZY_REFIT_FROM
        and len(X) % 2 == 1
    ):
        # Past a few dozen points one more observation barely moves the posterior mode: re-optimizing on every
        # other data size halves the cost of fitting at no measurable loss.
        return GPRegressor(X, y, is_categorical, initial, activity)
    dists = _pairwise_sq_dists(X, X, is_categorical)
    fixed_noise = _DETERMINISTIC_NOISE if deterministic else None
    default = KernelParams(np.full(d, 1.0), 1.0, 1e-2 if not deterministic else _DETERMINISTIC_NOISE)
    starts = [default] if initial is None or len(initial.inverse_squared_lengthscales) != d else [initial, default]
    pairs = [_LOG_ILS_BOUNDS] * d + [_LOG_SCALE_BOUNDS] + ([] if deterministic else [_LOG_NOISE_BOUNDS])
    lower, upper = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    bounds = scipy.optimize.Bounds(lower, upper)  # arrays: no per-pair parsing in every call
    best_x: np.ndarray | None = None
    best_f = math.inf
    for start in starts:
        x0 = start.to_vector()
        if deterministic:
            x0 = x0[:-1]
        x0 = np.clip(x0, lower, upper)
        # One new observation moves the optimum only a little: a few steps from the previous fit usually suffice.
        result = scipy.optimize.minimize(
            _neg_log_posterior,
            x0,
            args=(dists, y, fixed_noise),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": 15 if start is initial else 200},
        )
        if result.fun < best_f:
            best_f, best_x = float(result.fun), np.asarray(result.x)
        if start is initial and (result.success or result.nit == 0):
            # A warm start that converged is as good as a cold one; one that did not may sit in a poor local
            # optimum of the posterior, so the cold start runs as well and the better fit wins.
            break
    assert best_x is not None
    if deterministic:
        best_x = np.concatenate([best_x, [math.log(_DETERMINISTIC_NOISE)]])
    return GPRegressor(X, y, is_categorical, KernelParams.from_vector(best_x), activity)
