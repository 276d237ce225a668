"""What the dashboard tests share: a SQLite study with known trials, the token and the page's origin."""

from __future__ import annotations

import albacore
from albacore.trial import TrialState

TOKEN = "test-token"
ORIGIN = "http://127.0.0.1"
VALUES = (5.0, 3.0, 8.0, 1.0, 9.0, 2.0)


def make_study(url: str, name: str = "demo") -> albacore.Study:
    """A study with 6 COMPLETE trials (values 5, 3, 8, 1, 9, 2 at x = value), one PRUNED, one FAIL, one RUNNING."""
    study = albacore.create_study(study_name=name, storage=url)
    for value in VALUES:
        study.enqueue_trial({"x": value})
        trial = study.ask()
        trial.suggest_float("x", 0, 10)
        trial.set_user_attr("group", "odd" if int(value) % 2 else "even")
        trial.report(value * 2, 0)
        trial.report(value, 1)
        study.tell(trial, value)
    study.enqueue_trial({"x": 4.0})
    pruned = study.ask()
    pruned.suggest_float("x", 0, 10)
    study.tell(pruned, state=TrialState.PRUNED)
    failed = study.ask()
    study.tell(failed, state=TrialState.FAIL)
    study.ask()  # left RUNNING
    return study


def write_headers() -> dict[str, str]:
    """Headers of a write from the dashboard's own page."""
    return {"X-Albacore-Token": TOKEN, "Origin": ORIGIN}
