"""``ask`` and ``tell``: trials run from the shell, one process per step."""

from __future__ import annotations

import ast
import json
import os
import pathlib
import subprocess
import sys

import pytest
import yaml
from tests.cli._run import Run

import albacore
from albacore.trial import TrialState

SPACE = json.dumps(
    {
        "x": {"name": "FloatDistribution", "attributes": {"low": 0.0, "high": 1.0}},
        "n": {"name": "IntDistribution", "attributes": {"low": 1, "high": 8, "log": True}},
        "y": {"name": "CategoricalDistribution", "attributes": {"choices": ["foo"]}},
    }
)


@pytest.fixture
def study(url: str) -> albacore.Study:
    return albacore.create_study(storage=url, study_name="s")


def _ask(run: Run, url: str, *more: str) -> str:
    result = run("--storage", url, "ask", "--study-name", "s", "--search-space", SPACE, *more)
    assert result.status == 0, result.err
    return result.out


def test_ask_draws_the_search_space_and_stores_it(run: Run, url: str, study: albacore.Study) -> None:
    asked = json.loads(_ask(run, url))
    assert asked["number"] == 0 and set(asked["params"]) == {"x", "n", "y"}
    assert 0 <= asked["params"]["x"] <= 1 and 1 <= asked["params"]["n"] <= 8 and asked["params"]["y"] == "foo"
    trial = study.trials[0]
    assert trial.state == TrialState.RUNNING and trial.params == asked["params"]
    assert trial.distributions["n"] == albacore.distributions.IntDistribution(1, 8, log=True)


def test_ask_in_every_format(run: Run, url: str, study: albacore.Study) -> None:
    table = _ask(run, url, "-f", "table").strip().split("\n")
    cells = [c.strip() for c in table[3].split("|")[1:-1]]
    assert cells[0] == "0" and ast.literal_eval(cells[1]) == study.trials[0].params
    number, params = _ask(run, url, "-f", "value").split(" ", 1)
    assert number == "1" and ast.literal_eval(params) == study.trials[1].params
    assert yaml.safe_load(_ask(run, url, "-f", "yaml"))["number"] == 2
    flat = json.loads(_ask(run, url, "--flatten"))
    assert flat == {"number": 3, **{f"params_{k}": v for k, v in study.trials[3].params.items()}}
    bare = run("--storage", url, "ask", "--study-name", "s")
    assert json.loads(bare.out) == {"number": 4, "params": {}}
    assert json.loads(run("--storage", url, "ask", "--study-name", "s", "--flatten").out) == {"number": 5}


def test_ask_with_a_sampler(run: Run, url: str, study: albacore.Study) -> None:
    first = json.loads(_ask(run, url, "--sampler", "RandomSampler", "--sampler-kwargs", '{"seed": 7}'))
    study.tell(0, 1.0)
    albacore.create_study(storage=url, study_name="t")
    second = json.loads(
        run(
            "--storage", url, "ask", "--study-name", "t", "--search-space", SPACE,
            "--sampler", "RandomSampler", "--sampler-kwargs", '{"seed": 7}',
        ).out
    )  # fmt: skip
    assert first["params"] == second["params"]  # the seed reached the sampler
    assert json.loads(_ask(run, url, "--sampler", "TPESampler", "--sampler-kwargs", '{"multivariate": true}'))


def test_ask_argument_errors(run: Run, url: str, study: albacore.Study) -> None:
    def ask(*more: str) -> tuple[int, str]:
        result = run("--storage", url, "ask", "--study-name", "s", *more)
        return result.status, result.err

    status, err = ask("--sampler-kwargs", '{"seed": 1}')
    assert status == 2 and "`--sampler_kwargs` is set without `--sampler`." in err
    status, err = ask("--sampler", "NoSuchSampler")
    assert status == 2 and "NoSuchSampler" in err and "TPESampler" in err and "BaseSampler" not in err
    status, err = ask("--sampler", "TPESampler", "--sampler-kwargs", '{"colour": 1}')
    assert status == 2 and "do not fit TPESampler" in err and "colour" in err
    status, err = ask("--sampler", "TPESampler", "--sampler-kwargs", "[1]")
    assert status == 2 and "JSON object" in err
    status, err = ask("--search-space", '{"x": {"name": "FloatDistribution", "attributes": {"low": 0 "high": 1}}}')
    assert status == 2 and "--search-space is not valid JSON" in err and "line 1, column 61" in err
    excerpt, caret = err.rstrip("\n").split("\n")[-2:]
    assert excerpt[caret.index("^")] == '"'  # the caret points at where the JSON broke
    status, err = ask("--search-space", '{"x": {"name": "FloatDistribution", "attributes": {"low": 2, "high": 1}}}')
    assert status == 2 and "'x'" in err and "low" in err
    status, err = ask("--search-space", '{"x": {"name": "Gaussian", "attributes": {}}}')
    assert status == 2 and "'x'" in err
    status, err = ask("--search-space", "[]")
    assert status == 2 and "JSON object" in err
    assert study.trials == []  # no argument error started a trial


def test_ask_needs_an_existing_study(run: Run, url: str) -> None:
    albacore.create_study(storage=url, study_name="other")
    result = run("--storage", url, "ask", "--study-name", "s")
    assert result.status == 1
    assert "Implicit study creation within the 'ask' command was dropped in Optuna v4.0.0." in result.err
    assert "'other'" in result.err and "create-study --study-name s" in result.err
    assert albacore.get_all_study_names(url) == ["other"]
    # Without --study-name, the storage's only study.
    assert json.loads(run("--storage", url, "ask").out)["number"] == 0
    albacore.create_study(storage=url, study_name="third")
    several = run("--storage", url, "ask")
    assert several.status == 2 and "--study-name" in several.err


def test_tell(run: Run, url: str, study: albacore.Study) -> None:
    for _ in range(4):
        _ask(run, url)

    def tell(number: int, *more: str) -> tuple[int, str]:
        result = run("--storage", url, "tell", "--study-name", "s", "--trial-number", str(number), *more)
        return result.status, result.err

    assert tell(0, "--values", "1.5")[0] == 0
    assert tell(1, "--state", "pruned")[0] == 0
    assert tell(2, "--state", "fail")[0] == 0
    status, err = tell(3, "--values", "nan")
    assert status == 0 and "FAIL" in err
    assert [(t.state, t.values) for t in study.trials] == [
        (TrialState.COMPLETE, [1.5]),
        (TrialState.PRUNED, None),
        (TrialState.FAIL, None),
        (TrialState.FAIL, None),
    ]
    status, err = tell(0, "--values", "2.5")
    assert status == 1 and "finished already (COMPLETE)" in err and "--skip-if-finished" in err
    assert tell(0, "--values", "2.5", "--skip-if-finished")[0] == 0
    assert study.trials[0].values == [1.5]
    status, err = tell(9, "--values", "1")
    assert status == 1 and "no trial number 9" in err and "0 to 3" in err
    assert tell(0)[0] == 2  # neither values nor a state
    assert tell(0, "--state", "fail", "--values", "1")[0] == 2
    assert tell(0, "--values", "abc")[0] == 2


def test_tell_several_objectives(run: Run, url: str) -> None:
    study = albacore.create_study(storage=url, study_name="mo", directions=["minimize", "maximize"])
    assert json.loads(run("--storage", url, "ask", "--study-name", "mo").out)["number"] == 0
    assert run("--storage", url, "tell", "--study-name", "mo", "--trial-number", "0", "--values", "1", "2").status == 0
    assert study.trials[0].values == [1.0, 2.0]


def test_ask_and_tell_in_separate_processes(tmp_path: pathlib.Path) -> None:
    # A journal file named by its path, as Optuna's command takes it; each step is its own process.
    path = tmp_path / "study.log"
    path.touch()
    command = [sys.executable, "-c", "import sys; from albacore.cli import main; sys.exit(main())"]
    env = {**os.environ, "OPTUNA_STORAGE": str(path)}
    env.pop("ALBACORE_STORAGE", None)

    def step(*argv: str) -> str:
        done = subprocess.run([*command, *argv], capture_output=True, text=True, env=env, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert step("create-study", "--study-name", "s", "--direction", "maximize") == "s\n"
    for _ in range(2):
        asked = json.loads(step("ask", "--search-space", SPACE, "--sampler", "TPESampler"))
        step("tell", "--trial-number", str(asked["number"]), "--values", str(asked["params"]["x"]))
    study = albacore.load_study(study_name="s", storage=f"journal://{path}")
    assert [t.state for t in study.trials] == [TrialState.COMPLETE, TrialState.COMPLETE]
    assert all(t.values == [t.params["x"]] for t in study.trials)
