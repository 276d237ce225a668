"""Crossover and mutation operators of the genetic samplers, on numeric parameters in their search scale.

Every operator works on the *transformed numeric space*: one coordinate per numeric parameter, log-scaled for
``log=True`` distributions, bounded by ``search_space_bounds`` (d x 2). Categorical parameters never reach
these operators; the sampler swaps them between parents.
"""

from __future__ import annotations

import abc
import math
from typing import TYPE_CHECKING

import numpy as np

from albacore.exceptions import InvalidArgumentError

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = [
    "BaseCrossover",
    "UniformCrossover",
    "BLXAlphaCrossover",
    "SBXCrossover",
    "VSBXCrossover",
    "UNDXCrossover",
    "SPXCrossover",
    "BaseMutation",
    "PolynomialMutation",
]


class BaseCrossover(abc.ABC):
    """Combines ``n_parents`` parents into one child."""

    def __str__(self) -> str:
        return type(self).__name__

    @property
    @abc.abstractmethod
    def n_parents(self) -> int:
        """Number of parents the operator needs."""

    @abc.abstractmethod
    def crossover(
        self, parents_params: np.ndarray, rng: np.random.RandomState, study: Study, search_space_bounds: np.ndarray
    ) -> np.ndarray:
        """Return a child (d,) from ``parents_params`` (n_parents x d); the sampler clips it to the bounds.

        Args:
            parents_params: The parents, one per row, in the transformed numeric space.
            rng: The sampler's random generator.
            study: The study being optimized.
            search_space_bounds: Lower and upper bound of each coordinate (d x 2).
        """


def _check_probability(value: float, name: str) -> None:
    if not 0.0 <= value <= 1.0:
        raise InvalidArgumentError(f"`{name}` must be in [0, 1], got {name}={value!r}.")


class UniformCrossover(BaseCrossover):
    """Takes each coordinate from the first or the second parent, swapping with ``swapping_prob``.

    Args:
        swapping_prob: Probability of taking a coordinate from the second parent.

    Example:
        >>> import numpy as np
        >>> parents = np.array([[0.0, 0.0], [1.0, 1.0]])
        >>> child = UniformCrossover(1.0).crossover(parents, np.random.RandomState(0), None, np.array([[0, 1], [0, 1]]))
        >>> child.tolist()
        [1.0, 1.0]
    """

    n_parents = 2

    def __init__(self, swapping_prob: float = 0.5) -> None:
        _check_probability(swapping_prob, "swapping_prob")
        self._swapping_prob = swapping_prob

    def crossover(
        self, parents_params: np.ndarray, rng: np.random.RandomState, study: Study, search_space_bounds: np.ndarray
    ) -> np.ndarray:
        swap = rng.rand(parents_params.shape[1]) < self._swapping_prob
        out: np.ndarray = np.where(swap, parents_params[1], parents_params[0])
        return out


class BLXAlphaCrossover(BaseCrossover):
    """Blend crossover: uniform in the parents' box widened by ``alpha`` times its width on each side.

    Args:
        alpha: Relative widening of the parents' box.
    """

    n_parents = 2

    def __init__(self, alpha: float = 0.5) -> None:
        if alpha < 0:
            raise InvalidArgumentError(f"`alpha` must be >= 0, got alpha={alpha!r}.")
        self._alpha = alpha

    def crossover(
        self, parents_params: np.ndarray, rng: np.random.RandomState, study: Study, search_space_bounds: np.ndarray
    ) -> np.ndarray:
        lo, hi = parents_params.min(axis=0), parents_params.max(axis=0)
        width = hi - lo
        out: np.ndarray = rng.uniform(lo - self._alpha * width, hi + self._alpha * width)
        return out


def _default_eta(study: Study | None) -> float:
    # A narrow distribution keeps children close to parents, which suits the many-parent fronts of
    # multi-objective runs; single-objective runs explore more.
    return 20.0 if study is not None and len(study.directions) > 1 else 2.0


class SBXCrossover(BaseCrossover):
    """Simulated binary crossover (Deb and Agrawal, 1995), bounded form.

    Args:
        eta: Distribution index; larger keeps children closer to their parents. 2 for one objective and 20 for
            several when None.
        uniform_crossover_prob: Probability of swapping a coordinate between the two children.
        use_child_gene_prob: Probability of taking a coordinate from the first child rather than the parent.
    """

    n_parents = 2

    def __init__(
        self, eta: float | None = None, uniform_crossover_prob: float = 0.5, use_child_gene_prob: float = 0.5
    ) -> None:
        if eta is not None and eta < 0:
            raise InvalidArgumentError(f"`eta` must be >= 0, got eta={eta!r}.")
        _check_probability(uniform_crossover_prob, "uniform_crossover_prob")
        _check_probability(use_child_gene_prob, "use_child_gene_prob")
        self._eta = eta
        self._uniform_crossover_prob = uniform_crossover_prob
        self._use_child_gene_prob = use_child_gene_prob

    def _children(
        self, x1: np.ndarray, x2: np.ndarray, rng: np.random.RandomState, eta: float, bounds: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = np.minimum(x1, x2), np.maximum(x1, x2)
        gap = np.maximum(hi - lo, 1e-14)
        u = rng.rand(len(x1))
        children = []
        for room in (lo - bounds[:, 0], bounds[:, 1] - hi):
            # The bounded spread factor keeps children inside the box (Deb's bounded SBX).
            beta = 1.0 + 2.0 * np.maximum(room, 0.0) / gap
            alpha = 2.0 - beta ** -(eta + 1.0)
            beta_q = np.where(
                u <= 1.0 / alpha,
                (u * alpha) ** (1.0 / (eta + 1.0)),
                (1.0 / np.maximum(2.0 - u * alpha, 1e-14)) ** (1.0 / (eta + 1.0)),
            )
            children.append(beta_q)
        c1 = 0.5 * ((lo + hi) - children[0] * gap)
        c2 = 0.5 * ((lo + hi) + children[1] * gap)
        return c1, c2

    def crossover(
        self, parents_params: np.ndarray, rng: np.random.RandomState, study: Study, search_space_bounds: np.ndarray
    ) -> np.ndarray:
        eta = self._eta if self._eta is not None else _default_eta(study)
        x1, x2 = parents_params[0], parents_params[1]
        c1, c2 = self._children(x1, x2, rng, eta, search_space_bounds)
        swap = rng.rand(len(x1)) < self._uniform_crossover_prob
        c1, c2 = np.where(swap, c2, c1), np.where(swap, c1, c2)
        child = c1 if rng.rand() < 0.5 else c2
        keep_parent = rng.rand(len(x1)) >= self._use_child_gene_prob
        out: np.ndarray = np.where(keep_parent & (rng.rand(len(x1)) < 0.5), x1, child)
        return out


class VSBXCrossover(SBXCrossover):
    """SBX whose two children spread on both sides of each parent ("vector" SBX), for rotated problems.

    Args:
        eta: Distribution index, as in :class:`SBXCrossover`.
        uniform_crossover_prob: Probability of swapping a coordinate between the two children.
        use_child_gene_prob: Probability of taking a coordinate from the first child rather than the parent.
    """

    def _children(
        self, x1: np.ndarray, x2: np.ndarray, rng: np.random.RandomState, eta: float, bounds: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        u = rng.rand(len(x1))
        contracting = u <= 0.5
        safe = np.clip(u, 1e-14, 1.0 - 1e-14)
        beta1 = np.where(contracting, (2.0 * safe) ** (1.0 / (eta + 1.0)), (0.5 / (1.0 - safe)) ** (1.0 / (eta + 1.0)))
        beta2 = np.where(
            contracting, (0.5 / safe) ** (-1.0 / (eta + 1.0)), (2.0 * (1.0 - safe)) ** (-1.0 / (eta + 1.0))
        )
        c1 = 0.5 * ((1.0 + beta1) * x1 + (1.0 - beta1) * x2)
        c2 = 0.5 * ((1.0 - beta2) * x1 + (1.0 + beta2) * x2)
        return c1, c2


class UNDXCrossover(BaseCrossover):
    """Unimodal normal distribution crossover (Ono et al., 2003) with three parents.

    The child is drawn around the midpoint of the first two parents, along their difference with deviation
    ``sigma_xi`` and across it with deviation ``sigma_eta`` times the third parent's distance from that line.

    Args:
        sigma_xi: Deviation along the line of the first two parents.
        sigma_eta: Deviation across it; ``0.35 / sqrt(d)`` when None.
    """

    n_parents = 3

    def __init__(self, sigma_xi: float = 0.5, sigma_eta: float | None = None) -> None:
        self._sigma_xi = sigma_xi
        self._sigma_eta = sigma_eta

    def crossover(
        self, parents_params: np.ndarray, rng: np.random.RandomState, study: Study, search_space_bounds: np.ndarray
    ) -> np.ndarray:
        x1, x2, x3 = parents_params[0], parents_params[1], parents_params[2]
        d = len(x1)
        sigma_eta = self._sigma_eta if self._sigma_eta is not None else 0.35 / math.sqrt(d)
        mid = 0.5 * (x1 + x2)
        diff = x2 - x1
        norm = float(np.linalg.norm(diff))
        child = mid + rng.normal(0.0, self._sigma_xi) * diff
        if d == 1:
            return np.asarray(child)
        direction = diff / norm if norm > 0 else np.eye(d)[0]
        offset = x3 - x1
        distance = float(np.linalg.norm(offset - (offset @ direction) * direction))
        # An orthonormal basis of the complement of the parents' line, by QR of [direction, random].
        basis, _ = np.linalg.qr(np.column_stack([direction, rng.normal(size=(d, d - 1))]))
        out: np.ndarray = child + distance * (basis[:, 1:] @ rng.normal(0.0, sigma_eta, d - 1))
        return out


class SPXCrossover(BaseCrossover):
    """Simplex crossover (Tsutsui et al., 1999) with three parents: uniform in their simplex, expanded.

    Args:
        epsilon: Expansion rate of the simplex; ``sqrt(n_parents + 1)`` when None.
    """

    n_parents = 3

    def __init__(self, epsilon: float | None = None) -> None:
        self._epsilon = epsilon

    def crossover(
        self, parents_params: np.ndarray, rng: np.random.RandomState, study: Study, search_space_bounds: np.ndarray
    ) -> np.ndarray:
        n = len(parents_params)
        epsilon = self._epsilon if self._epsilon is not None else math.sqrt(n + 1)
        centre = parents_params.mean(axis=0)
        vertices = centre + epsilon * (parents_params - centre)
        carry = np.zeros(parents_params.shape[1])
        for k in range(1, n):
            r = rng.rand() ** (1.0 / k)
            carry = r * (vertices[k - 1] - vertices[k] + carry)
        out: np.ndarray = vertices[n - 1] + carry
        return out


class BaseMutation(abc.ABC):
    """Mutates one numeric parameter of a child."""

    def __str__(self) -> str:
        return type(self).__name__

    @abc.abstractmethod
    def mutation(
        self, param: float, rng: np.random.RandomState, study: Study, search_space_bounds: np.ndarray
    ) -> float:
        """Return the mutated value of ``param`` (transformed numeric space), within ``search_space_bounds`` (2,)."""


class PolynomialMutation(BaseMutation):
    """Polynomial mutation (Deb and Goyal, 1996): a bounded perturbation concentrated near the current value.

    Args:
        eta: Distribution index; larger keeps the mutated value closer to the original.

    Example:
        >>> import numpy as np
        >>> value = PolynomialMutation(eta=20.0).mutation(0.5, np.random.RandomState(0), None, np.array([0.0, 1.0]))
        >>> 0.0 <= value <= 1.0
        True
    """

    def __init__(self, eta: float = 20.0) -> None:
        if eta < 0:
            raise InvalidArgumentError(f"`eta` must be >= 0, got eta={eta!r}.")
        self._eta = eta

    def mutation(
        self, param: float, rng: np.random.RandomState, study: Study, search_space_bounds: np.ndarray
    ) -> float:
        lo, hi = float(search_space_bounds[0]), float(search_space_bounds[1])
        if hi <= lo:
            return lo
        u = float(rng.rand())
        power = 1.0 / (self._eta + 1.0)
        if u < 0.5:
            room = (param - lo) / (hi - lo)
            value = 2.0 * u + (1.0 - 2.0 * u) * (1.0 - room) ** (self._eta + 1.0)
            delta = value**power - 1.0
        else:
            room = (hi - param) / (hi - lo)
            value = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * (1.0 - room) ** (self._eta + 1.0)
            delta = 1.0 - value**power
        return float(min(max(param + delta * (hi - lo), lo), hi))
