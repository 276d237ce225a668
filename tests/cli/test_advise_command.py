"""``albacore pruners advise``: the advice printed, and the trade-off drawn to a file."""

from __future__ import annotations

import importlib.util
import pathlib

import pytest
from tests.cli._run import Run

import albacore
from albacore.trial import create_trial


def _store(url: str) -> None:
    study = albacore.create_study(storage=url, study_name="curves", direction="maximize")
    for level in (0.3, 0.9, 0.5, 0.1, 0.7, 0.2, 0.8, 0.4):
        curve = {step: level * (step + 1) / 6 for step in range(6)}
        study.add_trial(create_trial(value=curve[5], intermediate_values=curve))


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None, reason="matplotlib is not installed")
def test_the_command_prints_the_advice_and_draws_it(run: Run, url: str, tmp_path: pathlib.Path) -> None:
    _store(url)
    image = tmp_path / "advice.png"
    result = run("pruners", "advise", "--storage", url, "--study-name", "curves", "--plot", str(image))
    assert result.status == 0, result.err
    assert "pruner=albacore.pruners." in result.out and "weak" in result.out
    assert image.stat().st_size > 0


def test_a_plot_file_of_unknown_kind_is_a_usage_error(run: Run, url: str) -> None:
    _store(url)
    result = run("pruners", "advise", "--storage", url, "--plot", "advice.txt")
    assert result.status == 2 and ".html, .png" in result.err
