"""OptunaSearchCV and LightGBMTuner from several processes on one SQLite study."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("lightgbm")
pytest.importorskip("sklearn")

import albacore
from albacore.trial import TrialState

SEARCH = """
import albacore
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier
albacore.logging.set_verbosity(albacore.logging.WARNING)
X, y = load_iris(return_X_y=True)
study = albacore.create_study(study_name="s", storage=URL, direction="maximize", load_if_exists=True)
search = albacore.integration.OptunaSearchCV(
    DecisionTreeClassifier(random_state=0), {"max_depth": albacore.distributions.IntDistribution(1, 8)},
    n_trials=4, cv=3, study=study)
search.fit(X, y)
print(search.n_trials_, search.best_score_)
"""

TUNER = """
import albacore, lightgbm
import albacore.integration.lightgbm as lgb
from sklearn.datasets import load_breast_cancer
albacore.logging.set_verbosity(albacore.logging.WARNING)
X, y = load_breast_cancer(return_X_y=True)
train = lightgbm.Dataset(X[:400], y[:400])
valid = lightgbm.Dataset(X[400:], y[400:], reference=train)
study = albacore.create_study(study_name="t", storage=URL, load_if_exists=True)
tuner = lgb.LightGBMTuner({"objective": "binary", "verbosity": -1, "num_threads": 1}, train, 10,
                          valid_sets=[valid], study=study, model_dir=MODELS, show_progress_bar=False)
tuner.tune_feature_fraction()
tuner.tune_num_leaves(n_trials=6)
print(tuner.best_score, tuner.get_best_booster().num_trees())
"""


def _run_together(script: str, url: str, models: Path) -> list[str]:
    code = f"URL = {url!r}\nMODELS = {str(models)!r}\n" + textwrap.dedent(script)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err[-3000:]
        outputs.append(out.strip())
    return outputs


@pytest.mark.slow
def test_two_searches_pool_their_trials_in_one_study(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'search.db'}"
    albacore.create_study(study_name="s", storage=url, direction="maximize")
    _run_together(SEARCH, url, tmp_path)
    study = albacore.load_study(study_name="s", storage=url)
    assert len(study.trials) == 8
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


@pytest.mark.slow
def test_two_tuners_divide_the_steps_and_share_the_best_booster(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tuner.db'}"
    albacore.create_study(study_name="t", storage=url)
    outputs = _run_together(TUNER, url, tmp_path)
    study = albacore.load_study(study_name="t", storage=url)
    steps = [t.system_attrs["lightgbm_tuner:step_name"] for t in study.trials]
    # Each process starts a trial only while the step's count is short, so at most one extra per race.
    assert 7 <= steps.count("feature_fraction") <= 8
    assert 6 <= steps.count("num_leaves") <= 7
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    grid = [t.params["feature_fraction"] for t in study.trials if steps[t.number] == "feature_fraction"]
    assert len(set(grid)) == 7  # the grid was divided between the processes, every point tried
    finals = [float(line.split()[0]) for line in outputs]
    assert min(finals) == study.best_value and all(f >= study.best_value for f in finals)
