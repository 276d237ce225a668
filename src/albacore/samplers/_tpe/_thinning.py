"""A bounded set of kernels for the "above" (bad) model of a long study, chosen by Poisson sampling on weight.

With tens of thousands of finished trials a kernel per trial makes every suggestion cost in proportion to the
study. Past a budget of ``K`` kernels the bad model keeps a weighted sample instead: each trial is kept with
probability ``p = min(1, c * w)`` for its age weight ``w``, ``c`` chosen so that the ``p`` sum to ``K``, and a
kept kernel weighs ``w / p`` (Horvitz-Thompson), so the mixture's expected density is that of the full set.
Kernel widths then come from the gaps between the kept centers (see ``bandwidths``): a kernel density estimate
of the same weighted distribution with ``K`` points.

Each trial number owns one fixed uniform draw (from the sampler's seed), kept when it falls below ``p``. As the
study grows ``p`` of an old trial only shrinks, so a trial leaves the sample at most once and the sample moves
by a fraction of a kernel per new trial: successive models stay close, and cached truncation masses stay valid.

Example:
    >>> import numpy as np
    >>> thinning = KernelThinning(seed=0)
    >>> kept, weights = thinning.select(np.arange(5000.0), np.ones(5000), budget=500)
    >>> 400 < kept.size < 600, bool(np.allclose(weights, 10.0))
    (True, True)
"""

from __future__ import annotations

import numpy as np

from albacore.samplers._tpe._split import age_ramp

__all__ = ["KernelThinning", "inclusion_probabilities"]

_CHUNK = 4096


def inclusion_probabilities(weights: np.ndarray, budget: int) -> np.ndarray:
    """Return ``min(1, c * w)`` for each weight, with ``c`` such that the probabilities sum to ``budget``.

    When at most ``budget`` weights are positive, every positive weight gets probability 1 (and zeros 0).
    """
    positive = weights > 0.0
    n_positive = int(positive.sum())
    if n_positive <= budget:
        return positive.astype(float)
    total = float(weights.sum())
    scale = budget / total
    if scale * float(weights.max()) <= 1.0:  # no weight is large enough to be kept for sure: the usual case
        return np.asarray(weights * scale)
    # Some are certain: with the m largest capped at 1, c = (budget - m) / (sum of the rest); the right m is the
    # smallest for which the largest uncapped weight stays below 1 / c. Only the `budget` largest can be capped.
    top = np.sort(np.partition(weights, weights.size - budget)[weights.size - budget :])[::-1]
    rest_total = total - np.concatenate(([0.0], np.cumsum(top)[:-1]))
    capped = np.arange(budget)
    scales = (budget - capped) / rest_total
    fits = np.nonzero(scales * top <= 1.0)[0]
    scale = float(scales[fits[0]]) if fits.size else 0.0
    return np.asarray(np.minimum(weights * scale, 1.0))


class KernelThinning:
    """Chooses, trial after trial, a weighted sample of at most about ``budget`` kernels.

    Args:
        seed: The sampler's seed; the same seed keeps the same trials.
    """

    def __init__(self, *, seed: int) -> None:
        self._seed = seed & (2**64 - 1)
        self._uniforms = np.empty(0)
        self._row_uniforms = np.empty(0)  # the draw of each row of the table given to select_by_age

    def _uniforms_for(self, numbers: np.ndarray) -> np.ndarray:
        needed = int(numbers.max()) + 1 if numbers.size else 0
        if needed > self._uniforms.size:
            chunks = [self._uniforms]
            for chunk in range(self._uniforms.size // _CHUNK, (needed + _CHUNK - 1) // _CHUNK):
                chunks.append(np.random.default_rng([self._seed, 0x7E1E, chunk]).random(_CHUNK))
            self._uniforms = np.concatenate(chunks)
        return np.asarray(self._uniforms[numbers.astype(np.intp)])

    def select(self, numbers: np.ndarray, weights: np.ndarray, *, budget: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the positions kept among trials ``numbers`` with age ``weights``, and the weights they carry."""
        probabilities = inclusion_probabilities(weights, budget)
        kept = np.nonzero(self._uniforms_for(numbers) < probabilities)[0]
        return kept, np.asarray(weights[kept] / probabilities[kept])

    def select_by_age(
        self, numbers: np.ndarray, excluded: np.ndarray, n_newer: int, *, budget: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """:meth:`select` over the rows of a growing table but ``excluded``, weighted by age, at a cost that does
        not grow with the table's size beyond a few passes in C.

        ``numbers`` are the trial numbers of every row of an append-only table, ascending; the rows not in
        ``excluded`` (ascending row indices) are weighted ``default_weights(m)`` oldest first, where ``m`` counts
        them and ``n_newer`` more observations, newer than all of them, that take the last weights. Returns
        what ``select(numbers[rows], default_weights(m)[:len(rows)], budget=budget)`` returns, with the kept
        positions as table rows, and the weights of the ``n_newer`` newer observations; or None when some
        weight is large enough to be kept for sure (studies of up to about twice ``budget`` trials), which
        :meth:`select` handles.

        Only rows whose draw is below ``budget / total weight`` can be kept (no probability is above it), so
        only those few rows are weighted one by one; each weight is the very number ``default_weights``
        holds (see :func:`~albacore.samplers._tpe._split.age_ramp`).
        """
        n_rows = numbers.size - excluded.size
        weights = age_ramp(n_rows + n_newer)
        head = weights[:n_rows]
        # As inclusion_probabilities computes them: every weight of the ramp is positive.
        scale = budget / float(head.sum())
        if n_rows <= budget or scale * float(head.max()) > 1.0:
            return None
        if self._row_uniforms.size < numbers.size:
            fresh = self._uniforms_for(numbers[self._row_uniforms.size :])
            self._row_uniforms = np.concatenate((self._row_uniforms, fresh))
        draws = self._row_uniforms[: numbers.size]
        candidates = np.nonzero(draws < scale)[0]
        at = np.searchsorted(excluded, candidates)
        hit = np.zeros(candidates.size, dtype=bool)
        inside = at < excluded.size
        hit[inside] = excluded[at[inside]] == candidates[inside]
        candidates, at = candidates[~hit], at[~hit]
        positions = candidates - at  # rank among the rows not excluded, oldest first
        probabilities = weights[positions] * scale
        keep = draws[candidates] < probabilities
        return candidates[keep], weights[positions[keep]] / probabilities[keep], weights[n_rows:]
