"""trial.seed: one reproducible integer per (study name, trial number), recorded in the trial."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.trial import FixedTrial


def _seeds(study: albacore.Study, n: int) -> list[int]:
    seeds: list[int] = []
    study.optimize(lambda t: float(seeds.append(t.seed) or 0.0), n_trials=n)
    return seeds


def test_the_seed_depends_on_the_study_name_and_the_number_only() -> None:
    first = _seeds(albacore.create_study(study_name="a"), 5)
    again = _seeds(albacore.create_study(study_name="a"), 5)
    other = _seeds(albacore.create_study(study_name="b"), 5)
    assert first == again
    assert len(set(first)) == 5
    assert not set(first) & set(other)
    assert all(0 <= s < 2**31 for s in first)


def test_the_seed_survives_a_restart_and_another_process(tmp_path: pathlib.Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    study = albacore.create_study(storage=url, study_name="kept")
    seeds = _seeds(study, 3)
    # Continued from its storage, the study's next trial numbers get the seeds any process would compute.
    code = f"import albacore; s = albacore.load_study(study_name='kept', storage={url!r}); t = s.ask(); print(t.seed)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert int(out.split()[-1]) == _seeds(albacore.create_study(study_name="kept"), 4)[3]
    assert [t.seed for t in albacore.load_study(study_name="kept", storage=url).trials[:3]] == seeds


def test_a_finished_trial_gives_back_the_seed_its_objective_read() -> None:
    study = albacore.create_study(study_name="best")
    study.optimize(lambda t: t.seed % 7 + t.suggest_float("x", 0, 1), n_trials=4)
    study.optimize(lambda t: 10 + t.suggest_float("x", 0, 1), n_trials=1)
    best = study.best_trial
    replayed = FixedTrial(best.params, number=best.number, seed=best.seed)
    assert replayed.seed == best.seed
    assert best.seed % 7 + replayed.suggest_float("x", 0, 1) == best.value
    with pytest.raises(InvalidArgumentError, match="did not read"):
        _ = study.trials[4].seed


def test_a_fixed_trial_without_a_seed_derives_one_from_its_number() -> None:
    assert FixedTrial({}, number=3).seed == FixedTrial({}, number=3).seed
    assert FixedTrial({}, number=3).seed != FixedTrial({}, number=4).seed
    assert FixedTrial({}, seed=11).seed == 11
