"""examples/terminator.py runs end to end and stops before its budget with a good model."""

from __future__ import annotations

import importlib.util
import pathlib

import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "terminator.py"


@pytest.mark.slow
def test_the_example_stops_early_with_a_good_model() -> None:
    pytest.importorskip("sklearn")
    spec = importlib.util.spec_from_file_location("terminator_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    study = module.main(["--trials", "80"])
    assert len(study.trials) < 80
    assert study.best_value > 0.95  # about 0.97-0.98 once C and gamma are tuned
