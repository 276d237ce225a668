from __future__ import annotations

import numpy as np
import pytest

from albacore.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.samplers._random import from_unit
from albacore.samplers._transform import SearchSpaceTransform

SPACE: dict[str, BaseDistribution] = {
    "f": FloatDistribution(-3.0, 5.0),
    "flog": FloatDistribution(1e-4, 1.0, log=True),
    "fstep": FloatDistribution(0.0, 1.0, step=0.25),
    "i": IntDistribution(-2, 7),
    "ilog": IntDistribution(1, 1000, log=True),
    "istep": IntDistribution(0, 10, step=5),
    "c": CategoricalDistribution(["a", None, 3.5, True]),
    "single": FloatDistribution(2.0, 2.0),
}


def _random_params(n: int, seed: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    return [{name: from_unit(float(rng.random()), d) for name, d in SPACE.items()} for _ in range(n)]


@pytest.mark.parametrize("one_hot", [True, False])
def test_round_trip(one_hot: bool) -> None:
    transform = SearchSpaceTransform(SPACE, one_hot=one_hot)
    params = _random_params(50, 0)
    encoded = transform.encode_params(params)
    decoded = transform.decode(encoded)
    for original, back in zip(params, decoded, strict=True):
        assert set(back) == set(original)
        for name, value in original.items():
            if isinstance(value, float):
                assert back[name] == pytest.approx(value, rel=1e-12, abs=1e-12)
            else:
                assert back[name] == value and type(back[name]) is type(value)


def test_numeric_columns_in_unit_box_and_categorical_layout() -> None:
    transform = SearchSpaceTransform(SPACE, one_hot=True)
    encoded = transform.encode_params(_random_params(200, 1))
    assert transform.n_columns == 7 + 4
    assert np.all((encoded >= 0.0) & (encoded <= 1.0))
    cat_cols = transform.is_categorical
    assert cat_cols.sum() == 4
    np.testing.assert_array_equal(encoded[:, cat_cols].sum(axis=1), 1.0)
    index = SearchSpaceTransform(SPACE, one_hot=False)
    assert index.n_columns == 8
    assert index.n_choices[index.is_categorical].tolist() == [4]


def test_grid_points_sit_at_cell_centres() -> None:
    transform = SearchSpaceTransform({"i": IntDistribution(0, 3)})
    np.testing.assert_allclose(
        transform.encode(np.array([[0.0], [1.0], [2.0], [3.0]]))[:, 0], [0.125, 0.375, 0.625, 0.875]
    )
    decoded = transform.decode_internal(np.array([[0.0], [0.249], [0.26], [0.99], [1.0]]))[:, 0]
    np.testing.assert_array_equal(decoded, [0, 0, 1, 3, 3])


def test_decode_clips_out_of_box_points() -> None:
    transform = SearchSpaceTransform(SPACE, one_hot=False)
    low = transform.decode(np.full((1, transform.n_columns), -5.0))[0]
    high = transform.decode(np.full((1, transform.n_columns), 50.0))[0]
    assert low["f"] == -3.0 and high["f"] == 5.0
    assert low["ilog"] == 1 and high["ilog"] == 1000
    assert low["istep"] == 0 and high["istep"] == 10
    assert low["c"] == "a" and high["c"] is True
    assert low["single"] == 2.0 == high["single"]


def test_snap_is_idempotent() -> None:
    transform = SearchSpaceTransform(SPACE)
    rng = np.random.default_rng(3)
    snapped = transform.snap(rng.random((20, transform.n_columns)))
    np.testing.assert_allclose(transform.snap(snapped), snapped)
