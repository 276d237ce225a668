"""``trials``, ``best-trial`` and ``best-trials``, checked against the study's own records."""

from __future__ import annotations

import ast
import json

import pytest
import yaml
from tests.cli._run import Run

import albacore
from albacore.distributions import CategoricalDistribution, FloatDistribution
from albacore.trial import TrialState

_WHEN = "%Y-%m-%d %H:%M:%S"
_LEADING = ["number", "value", "datetime_start", "datetime_complete", "duration"]


def _table(text: str) -> list[dict[str, str]]:
    lines = text.strip().split("\n")
    keys = [cell.strip() for cell in lines[1].split("|")[1:-1]]
    return [dict(zip(keys, (cell.strip() for cell in line.split("|")[1:-1]), strict=True)) for line in lines[3:-1]]


def _branched(url: str) -> albacore.Study:
    """Trials 0-2: c='a' with x; trial 3: c='b' with y and a user attribute; trial 4 failed; trial 5 running."""
    study = albacore.create_study(storage=url, study_name="s")
    space = {"c": CategoricalDistribution(["a", "b"]), "x": FloatDistribution(0, 10), "y": FloatDistribution(0, 10)}
    for value, c, other in ((3.0, "a", 3.0), (1.0, "a", 1.0), (2.0, "a", 2.0), (0.5, "b", 0.5)):
        name = "x" if c == "a" else "y"
        study.add_trial(
            albacore.create_trial(
                value=value,
                params={"c": c, name: other},
                distributions={"c": space["c"], name: space[name]},
                user_attrs={"fold": 2} if c == "b" else {},
            )
        )
    study.add_trial(albacore.create_trial(state=TrialState.FAIL))
    study.ask()
    return study


def test_trials_table_holds_each_trial(run: Run, url: str) -> None:
    study = _branched(url)
    rows = _table(run("--storage", url, "trials", "--study-name", "s").out)
    assert list(rows[0]) == [*_LEADING, "params", "user_attrs", "state"]
    for row, trial in zip(rows, study.trials, strict=True):
        assert row["number"] == str(trial.number) and row["state"] == trial.state.name
        assert row["value"] == ("" if trial.value is None else str(trial.value))
        assert ast.literal_eval(row["params"]) == trial.params
        assert ast.literal_eval(row["user_attrs"]) == trial.user_attrs
        assert trial.datetime_start is not None and row["datetime_start"] == trial.datetime_start.strftime(_WHEN)
        assert row["duration"] == ("" if trial.duration is None else str(trial.duration))
    assert rows[5]["state"] == "RUNNING" and rows[5]["datetime_complete"] == ""


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_trials_as_data(run: Run, url: str, fmt: str) -> None:
    study = _branched(url)
    load = json.loads if fmt == "json" else yaml.safe_load
    records = load(run("--storage", url, "trials", "--study-name", "s", "-f", fmt).out)
    assert [r["number"] for r in records] == [0, 1, 2, 3, 4, 5]
    assert records[3]["params"] == {"c": "b", "y": 0.5} and records[3]["user_attrs"] == {"fold": 2}
    assert records[4]["value"] is None and records[4]["state"] == "FAIL"
    complete = study.trials[0].datetime_complete
    assert complete is not None and records[0]["datetime_complete"] == complete.strftime(_WHEN)
    flat = load(run("--storage", url, "trials", "--study-name", "s", "-f", fmt, "--flatten").out)
    assert flat[0]["params_x"] == 3.0 and "params_y" not in flat[0] and "user_attrs_fold" not in flat[0]
    assert flat[3]["params_y"] == 0.5 and flat[3]["user_attrs_fold"] == 2


def test_trials_flattened_table_has_a_column_per_parameter(run: Run, url: str) -> None:
    _branched(url)
    rows = _table(run("--storage", url, "trials", "--study-name", "s", "--flatten").out)
    assert list(rows[0]) == [*_LEADING, "params_c", "params_x", "params_y", "user_attrs_fold", "state"]
    assert (rows[1]["params_x"], rows[1]["params_y"]) == ("1.0", "")
    assert (rows[3]["params_x"], rows[3]["params_y"], rows[3]["user_attrs_fold"]) == ("", "0.5", "2")


def test_best_trial(run: Run, url: str) -> None:
    _branched(url)
    best = json.loads(run("--storage", url, "best-trial", "--study-name", "s", "-f", "json").out)
    assert best["number"] == 3 and best["value"] == 0.5 and best["params"] == {"c": "b", "y": 0.5}
    # A flattened best trial keeps the columns of the whole study, so the table lines up with `trials`.
    rows = _table(run("--storage", url, "best-trial", "--study-name", "s", "--flatten").out)
    assert len(rows) == 1 and rows[0]["params_x"] == "" and rows[0]["params_y"] == "0.5"
    albacore.create_study(storage=url, study_name="empty")
    empty = run("--storage", url, "best-trial", "--study-name", "empty")
    assert empty.status == 1 and "no completed trial" in empty.err
    assert run("--storage", url, "best-trial").status == 2  # which study?


def _two_objectives(url: str, metric_names: list[str] | None = None) -> albacore.Study:
    study = albacore.create_study(storage=url, study_name="mo", directions=["minimize", "minimize"])
    if metric_names:
        study.set_metric_names(metric_names)
    for x in (0.0, 1.0, 2.0, 3.0):
        study.add_trial(
            albacore.create_trial(
                values=[x, (2.0 - x) ** 2], params={"x": x}, distributions={"x": FloatDistribution(0, 3)}
            )
        )
    return study


def test_best_trials_of_two_objectives(run: Run, url: str) -> None:
    study = _two_objectives(url)
    records = json.loads(run("--storage", url, "best-trials", "--study-name", "mo", "-f", "json").out)
    assert sorted(r["number"] for r in records) == sorted(t.number for t in study.best_trials) == [0, 1, 2]
    assert records[1]["values"] == [1.0, 1.0]
    rows = _table(run("--storage", url, "best-trials", "--study-name", "mo").out)
    assert ast.literal_eval(rows[2]["values"]) == [2.0, 0.0]
    flat = _table(run("--storage", url, "best-trials", "--study-name", "mo", "--flatten").out)
    assert (flat[2]["values_0"], flat[2]["values_1"]) == ("2.0", "0.0")
    several = run("--storage", url, "best-trial", "--study-name", "mo")
    assert several.status == 1 and "best-trials" in several.err


def test_values_by_metric_name(run: Run, url: str) -> None:
    _two_objectives(url, ["loss", "latency"])
    records = json.loads(run("--storage", url, "trials", "--study-name", "mo", "-f", "json").out)
    assert records[3]["values"] == {"loss": 3.0, "latency": 1.0}
    flat = json.loads(run("--storage", url, "trials", "--study-name", "mo", "-f", "json", "--flatten").out)
    assert flat[3]["values_loss"] == 3.0 and flat[3]["values_latency"] == 1.0
