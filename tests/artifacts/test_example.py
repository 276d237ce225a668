"""examples/artifacts.py runs end to end: a model per trial is uploaded and the best one downloaded and scored."""

from __future__ import annotations

import importlib.util
import pathlib

import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "artifacts.py"


def test_the_example_downloads_a_best_model_that_scores_well(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sklearn")
    spec = importlib.util.spec_from_file_location("artifacts_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.chdir(tmp_path)

    accuracy = module.main(["--trials", "3"])
    assert accuracy > 0.8  # the weakest C in the searched range still scores about 0.9 on digits
    assert len(list((tmp_path / "albacore-artifacts").iterdir())) == 3
    # A second run continues the study and its store.
    module.main(["--trials", "1"])
    assert len(list((tmp_path / "albacore-artifacts").iterdir())) == 4
