"""``optimize(show_progress_bar=True)``: what the bar shows, and when it is not shown (with a warning)."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import albacore


def _study() -> albacore.Study:
    return albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))


def _stop_after(n: int) -> Any:
    def objective(trial: albacore.Trial) -> float:
        if trial.number >= n:
            trial.study.stop()
        return float(trial.number)

    return objective


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_bar_of_trials_names_the_best_trial(n_jobs: int, capsys: pytest.CaptureFixture[str]) -> None:
    _study().optimize(lambda t: 1.0, n_trials=4, n_jobs=n_jobs, timeout=30, show_progress_bar=True)
    err = capsys.readouterr().err
    assert "Best trial: 0. Best value: 1" in err and "4/4" in err and "%|" in err and "it/s" in err


@pytest.mark.parametrize(
    ("timeout", "total"),
    [(59.0, "/00:59"), (60.0, "/01:00"), (3600.0, "/1:00:00"), (864000.0, "/240:00:00")],
)
def test_a_bar_of_time_counts_to_the_timeout(timeout: float, total: str, capsys: pytest.CaptureFixture[str]) -> None:
    _study().optimize(_stop_after(3), timeout=timeout, show_progress_bar=True)
    err = capsys.readouterr().err
    assert total in err and "%|" in err and "Best trial: 0. Best value: 0" in err


def test_log_lines_are_written_above_the_bar(capsys: pytest.CaptureFixture[str]) -> None:
    before = albacore.logging.get_verbosity()
    albacore.logging.set_verbosity(albacore.logging.INFO)  # other tests may have quieted albacore
    try:
        _study().optimize(lambda t: 1.0, n_trials=2, show_progress_bar=True)
        err = capsys.readouterr().err
        assert "Trial 1 finished with value: 1.0" in err
        _study().optimize(lambda t: 1.0, n_trials=1)  # the default handler writes to stderr again afterwards
        assert "Trial 0 finished" in capsys.readouterr().err
    finally:
        albacore.logging.set_verbosity(before)


def test_no_bar_without_an_end_and_a_warning_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.warns(UserWarning, match="needs `n_trials` or `timeout`"):
        _study().optimize(_stop_after(2), show_progress_bar=True)
    assert "%|" not in capsys.readouterr().err


def test_no_time_bar_with_several_workers_and_a_warning_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.warns(UserWarning, match="not supported with n_jobs != 1"):
        _study().optimize(lambda t: 1.0, timeout=0.2, n_jobs=2, show_progress_bar=True)
    assert "%|" not in capsys.readouterr().err


def test_no_bar_and_no_warning_unless_asked(capsys: pytest.CaptureFixture[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _study().optimize(_stop_after(2))
        _study().optimize(lambda t: 1.0, timeout=0.1, n_jobs=2)
    assert "%|" not in capsys.readouterr().err
