"""``create-study``, ``delete-study``, ``study set-user-attr``, ``study-names`` and ``studies``."""

from __future__ import annotations

import ast
import json

import yaml
from tests.cli._run import Run

import albacore
from albacore.study import StudyDirection


def _table(text: str) -> list[dict[str, str]]:
    lines = text.strip().split("\n")
    keys = [cell.strip() for cell in lines[1].split("|")[1:-1]]
    return [dict(zip(keys, (cell.strip() for cell in line.split("|")[1:-1]), strict=True)) for line in lines[3:-1]]


def test_create_study(run: Run, url: str) -> None:
    made = run("--storage", url, "create-study")
    assert made.status == 0
    name = made.out.strip()
    assert name.startswith("no-name-") and albacore.get_all_study_names(url) == [name]
    assert run("--storage", url, "create-study", "--study-name", "max", "--direction", "maximize").out == "max\n"
    assert (
        run("--storage", url, "create-study", "--study-name", "two", "--directions", "minimize", "maximize").status == 0
    )
    assert albacore.load_study(study_name="max", storage=url).directions == [StudyDirection.MAXIMIZE]
    assert albacore.load_study(study_name="two", storage=url).directions == [
        StudyDirection.MINIMIZE,
        StudyDirection.MAXIMIZE,
    ]
    both = run("--storage", url, "create-study", "--direction", "minimize", "--directions", "minimize")
    assert both.status == 2


def test_create_study_twice(run: Run, url: str) -> None:
    assert run("--storage", url, "create-study", "--study-name", "a", "--direction", "maximize").status == 0
    again = run("--storage", url, "create-study", "--study-name", "a")
    assert again.status == 1 and "--skip-if-exists" in again.err
    reused = run("--storage", url, "create-study", "--study-name", "a", "--skip-if-exists")
    assert reused.status == 0 and reused.out == "a\n"
    assert albacore.load_study(study_name="a", storage=url).direction == StudyDirection.MAXIMIZE
    assert albacore.get_all_study_names(url) == ["a"]


def test_delete_study(run: Run, url: str) -> None:
    for name in ("a", "b"):
        albacore.create_study(storage=url, study_name=name).add_trial(albacore.create_trial(value=1.0))
    assert run("--storage", url, "delete-study", "--study-name", "a").status == 0
    assert albacore.get_all_study_names(url) == ["b"]
    missing = run("--storage", url, "delete-study", "--study-name", "a")
    assert missing.status == 1 and "No study named 'a'" in missing.err and "'b'" in missing.err
    assert run("--storage", url, "delete-study").status == 2  # --study-name is required


def test_unknown_study_lists_a_few_names(run: Run, url: str) -> None:
    for i in range(12):
        albacore.create_study(storage=url, study_name=f"s{i:02d}")
    err = run("--storage", url, "trials", "--study-name", "nope").err
    assert "'s00'" in err and "'s09'" in err and "'s10'" not in err and "2 more" in err and "study-names" in err


def test_set_user_attr(run: Run, url: str) -> None:
    albacore.create_study(storage=url, study_name="s")
    base = ["--storage", url, "study", "set-user-attr", "--study-name", "s"]
    assert run(*base, "--key", "architecture", "--value", "ResNet").status == 0
    assert run(*base, "-k", "score", "--value", "0.002").status == 0
    assert run(*base, "-k", "layers", "--value", "[64, 32]", "--json").status == 0
    attrs = albacore.load_study(study_name="s", storage=url).user_attrs
    assert attrs == {"architecture": "ResNet", "score": "0.002", "layers": [64, 32]}
    bad = run(*base, "-k", "layers", "--value", "[64, 32", "--json")
    assert bad.status == 2 and "--value is not valid JSON" in bad.err
    assert run("--storage", url, "study", "set-user-attr", "--study-name", "t", "-k", "a", "--value", "b").status == 1


def test_study_names_in_every_format(run: Run, url: str) -> None:
    assert run("--storage", url, "study-names").out == ""
    for name in ("first", "second"):
        albacore.create_study(storage=url, study_name=name)
    assert run("--storage", url, "study-names").out == "first\nsecond\n"
    assert _table(run("--storage", url, "study-names", "-f", "table").out) == [{"name": "first"}, {"name": "second"}]
    assert json.loads(run("--storage", url, "study-names", "-f", "json").out) == [{"name": "first"}, {"name": "second"}]
    assert yaml.safe_load(run("--storage", url, "study-names", "-f", "yaml").out) == [
        {"name": "first"},
        {"name": "second"},
    ]


def test_studies(run: Run, url: str) -> None:
    one = albacore.create_study(storage=url, study_name="one")
    rows = _table(run("--storage", url, "studies").out)
    assert rows == [{"name": "one", "direction": "('MINIMIZE',)", "n_trials": "0", "datetime_start": ""}]
    two = albacore.create_study(storage=url, study_name="two", directions=["minimize", "maximize"])
    two.optimize(lambda t: (t.suggest_float("x", 0, 1), 1.0), n_trials=3)
    two.set_user_attr("owner", "ana")
    rows = _table(run("--storage", url, "studies").out)
    assert list(rows[1]) == ["name", "direction", "n_trials", "datetime_start", "user_attrs"]
    assert ast.literal_eval(rows[1]["direction"]) == ("MINIMIZE", "MAXIMIZE")
    assert rows[1]["n_trials"] == "3" and ast.literal_eval(rows[1]["user_attrs"]) == {"owner": "ana"}
    started = two.trials[0].datetime_start
    assert started is not None and rows[1]["datetime_start"] == started.strftime("%Y-%m-%d %H:%M:%S")
    records = json.loads(run("--storage", url, "studies", "-f", "json").out)
    assert records[0] == {
        "name": one.study_name,
        "direction": ["MINIMIZE"],
        "n_trials": 0,
        "datetime_start": None,
        "user_attrs": {},
    }
    flat = json.loads(run("--storage", url, "studies", "-f", "json", "--flatten").out)
    assert flat[1]["direction_0"] == "MINIMIZE" and flat[1]["direction_1"] == "MAXIMIZE"
    assert "direction_1" not in flat[0] and flat[1]["user_attrs"] == {"owner": "ana"}
    flat_rows = _table(run("--storage", url, "studies", "--flatten").out)
    assert list(flat_rows[0]) == ["name", "direction_0", "direction_1", "n_trials", "datetime_start", "user_attrs"]
    assert flat_rows[0]["direction_1"] == ""
