"""Encode a mixed search space into the unit box and back, for every model-based sampler.

Numeric parameters map affinely (after ``log`` for log-scaled ones) onto [0, 1]. A discrete parameter with
``n`` grid points puts point ``k`` at the centre of its cell, ``(k + 0.5) / n``, so that every grid point owns an
equal share of the box and decoding is "round to the nearest cell". Categorical parameters become either one
column per choice (one-hot) or one column holding the choice index, as the sampler prefers.

Example:
    >>> from albacore.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
    >>> space = {"x": FloatDistribution(0.0, 10.0), "n": IntDistribution(1, 4)}
    >>> space["c"] = CategoricalDistribution(["a", "b"])
    >>> transform = SearchSpaceTransform(space)
    >>> unit = transform.encode_params([{"x": 5.0, "n": 2, "c": "b"}])
    >>> unit.round(3).tolist()
    [[0.5, 0.375, 0.0, 1.0]]
    >>> transform.decode(unit)[0] == {"x": 5.0, "n": 2, "c": "b"}
    True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from albacore.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution

__all__ = ["SearchSpaceTransform"]


class SearchSpaceTransform:
    """A vectorized, invertible map between parameter values and points of the unit box.

    Args:
        search_space: Parameter name -> distribution; the order of the mapping is the order of the columns.
        one_hot: Encode a categorical with ``k`` choices as ``k`` columns (True) or as one column holding the
            choice index (False; the column's values are then ``0, 1, ..., k - 1``, not in [0, 1]).

    Attributes:
        names: Parameter names, in column order.
        n_columns: Number of encoded columns.
        column_param: For each encoded column, the index of its parameter in ``names``.
        is_categorical: For each encoded column, whether it belongs to a categorical parameter.
        n_choices: For each encoded column, the number of grid points (discrete numeric), choices (index-encoded
            categorical) or 0 (continuous numeric and one-hot columns).
    """

    def __init__(self, search_space: Mapping[str, BaseDistribution], *, one_hot: bool = True) -> None:
        self.search_space = dict(search_space)
        self.one_hot = one_hot
        self.names = list(self.search_space)
        self._lo = np.zeros(len(self.names))
        self._hi = np.ones(len(self.names))
        self._n_points = np.zeros(len(self.names), dtype=np.int64)
        self._log = np.zeros(len(self.names), dtype=bool)
        column_param: list[int] = []
        is_categorical: list[bool] = []
        n_choices: list[int] = []
        for i, dist in enumerate(self.search_space.values()):
            if isinstance(dist, CategoricalDistribution):
                width = len(dist.choices) if one_hot else 1
                column_param += [i] * width
                is_categorical += [True] * width
                n_choices += [0] * width if one_hot else [len(dist.choices)]
                self._n_points[i] = len(dist.choices)
                continue
            self._lo[i], self._hi[i], self._n_points[i], self._log[i] = _numeric_layout(dist)
            column_param.append(i)
            is_categorical.append(False)
            n_choices.append(int(self._n_points[i]))
        self.column_param = np.asarray(column_param, dtype=np.int64)
        self.is_categorical = np.asarray(is_categorical, dtype=bool)
        self.n_choices = np.asarray(n_choices, dtype=np.int64)
        self.n_columns = len(column_param)
        self._first_column = np.searchsorted(self.column_param, np.arange(len(self.names)))

    def encode(self, internal: np.ndarray) -> np.ndarray:
        """Encode rows of internal values (one column per parameter, ``names`` order) into encoded rows."""
        internal = np.atleast_2d(np.asarray(internal, dtype=float))
        out = np.zeros((internal.shape[0], self.n_columns))
        for i, dist in enumerate(self.search_space.values()):
            col = int(self._first_column[i])
            values = internal[:, i]
            if isinstance(dist, CategoricalDistribution):
                if self.one_hot:
                    out[np.arange(len(values)), col + values.astype(np.int64)] = 1.0
                else:
                    out[:, col] = values
                continue
            if self._log[i]:
                values = np.log(values)
            span = self._hi[i] - self._lo[i]
            out[:, col] = 0.5 if span <= 0.0 else (values - self._lo[i]) / span
        return out

    def encode_params(self, params: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Encode a list of parameter dicts (external values, every name of the space present)."""
        dists = list(self.search_space.values())
        internal = np.array(
            [[d.to_internal_repr(p[name]) for name, d in zip(self.names, dists, strict=True)] for p in params],
            dtype=float,
        ).reshape(len(params), len(self.names))
        return self.encode(internal)

    def decode_internal(self, encoded: np.ndarray) -> np.ndarray:
        """Decode encoded rows into rows of internal values, snapped to each distribution's grid and range."""
        encoded = np.atleast_2d(np.asarray(encoded, dtype=float))
        out = np.zeros((encoded.shape[0], len(self.names)))
        for i, dist in enumerate(self.search_space.values()):
            col = int(self._first_column[i])
            if isinstance(dist, CategoricalDistribution):
                n = len(dist.choices)
                if self.one_hot:
                    out[:, i] = np.argmax(encoded[:, col : col + n], axis=1)
                else:
                    out[:, i] = np.clip(np.rint(encoded[:, col]), 0, n - 1)
                continue
            out[:, i] = self._decode_numeric(i, dist, np.clip(encoded[:, col], 0.0, 1.0))
        return out

    def _decode_numeric(self, i: int, dist: BaseDistribution, unit: np.ndarray) -> np.ndarray:
        values: np.ndarray = self._lo[i] + unit * (self._hi[i] - self._lo[i])
        if self._log[i]:
            values = np.exp(values)
        result: np.ndarray
        if isinstance(dist, IntDistribution):
            if dist.log:
                result = np.clip(np.rint(values), dist.low, dist.high)
            else:
                k = np.clip(np.rint((values - dist.low) / dist.step), 0, self._n_points[i] - 1)
                result = dist.low + k * dist.step
            return result
        assert isinstance(dist, FloatDistribution)
        if dist.step is not None:
            k = np.clip(np.rint((values - dist.low) / dist.step), 0, self._n_points[i] - 1)
            result = np.minimum(dist.low + k * dist.step, dist.high)
        else:
            result = np.clip(values, dist.low, dist.high)
        return result

    def decode(self, encoded: np.ndarray) -> list[dict[str, Any]]:
        """Decode encoded rows into parameter dicts of external values."""
        internal = self.decode_internal(encoded)
        dists = list(self.search_space.values())
        return [
            {name: d.to_external_repr(float(v)) for name, d, v in zip(self.names, dists, row, strict=True)}
            for row in internal
        ]

    def snap(self, encoded: np.ndarray) -> np.ndarray:
        """Return the encoding of the decoded rows: every point moved to the centre of its grid cell."""
        return self.encode(self.decode_internal(encoded))


def _numeric_layout(dist: BaseDistribution) -> tuple[float, float, int, bool]:
    """Return (low, high, number of grid points or 0, log) of the interval a numeric column spans."""
    if isinstance(dist, IntDistribution):
        if dist.log:
            return math.log(dist.low - 0.5), math.log(dist.high + 0.5), dist.high - dist.low + 1, True
        half = 0.5 * dist.step
        return dist.low - half, dist.high + half, (dist.high - dist.low) // dist.step + 1, False
    assert isinstance(dist, FloatDistribution)
    if dist.log:
        return math.log(dist.low), math.log(dist.high), 0, True
    if dist.step is not None:
        n_points = round((dist.high - dist.low) / dist.step) + 1
        half = 0.5 * dist.step
        return dist.low - half, dist.low + (n_points - 1) * dist.step + half, n_points, False
    return dist.low, dist.high, 0, False
