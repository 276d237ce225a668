"""The ``albacore`` command, run in-process through ``main`` (and once as a real subprocess)."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest
import sqlalchemy as sa
import yaml

import albacore
from albacore.cli import main
from albacore.cli._registry import Command, register, registered
from albacore.storages import RDBStorage
from albacore.storages.rdb._migrate import upgrade
from albacore.storages.rdb._models import SCHEMA_HEAD


@pytest.fixture
def url(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for variable in ("ALBACORE_STORAGE", "OPTUNA_STORAGE"):
        monkeypatch.delenv(variable, raising=False)
    return f"sqlite:///{tmp_path / 'cli.db'}"


def _study_with_trials(url: str, name: str = "s", directions: tuple[str, ...] = ("minimize",)) -> albacore.Study:
    study = albacore.create_study(storage=url, study_name=name, directions=list(directions))
    for x in (3.0, 1.0, 2.0):
        values = [x] if len(directions) == 1 else [x, -x * x]
        study.add_trial(
            albacore.create_trial(
                values=values,
                params={"x": x},
                distributions={"x": albacore.distributions.FloatDistribution(0, 5)},
                user_attrs={"note": "ü"},
            )
        )
    return study


def test_create_list_and_delete_studies(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--storage", url, "create-study", "--study-name", "a", "--direction", "maximize"]) == 0
    assert capsys.readouterr().out == "a\n"
    assert main(["create-study", "--storage", url, "--study-name", "b", "--directions", "minimize", "maximize"]) == 0
    capsys.readouterr()
    assert main(["--storage", url, "study-names"]) == 0
    assert capsys.readouterr().out.split() == ["a", "b"]
    assert main(["--storage", url, "studies", "-f", "json"]) == 0
    studies = json.loads(capsys.readouterr().out)
    assert [(s["name"], s["direction"], s["n_trials"]) for s in studies] == [
        ("a", "MAXIMIZE", 0),
        ("b", "MINIMIZE, MAXIMIZE", 0),
    ]
    assert main(["--storage", url, "delete-study", "--study-name", "a"]) == 0
    assert albacore.get_all_study_names(url) == ["b"]


def test_create_study_twice(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--storage", url, "create-study", "--study-name", "a", "--direction", "maximize"]) == 0
    assert main(["--storage", url, "create-study", "--study-name", "a"]) == 1
    assert "--skip-if-exists" in capsys.readouterr().err
    assert main(["--storage", url, "create-study", "--study-name", "a", "--skip-if-exists"]) == 0
    assert albacore.load_study(study_name="a", storage=url).direction.name == "MAXIMIZE"


def test_storage_from_environment(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _study_with_trials(url)
    monkeypatch.setenv("OPTUNA_STORAGE", url)
    assert main(["study-names"]) == 0
    assert capsys.readouterr().out == "s\n"
    monkeypatch.setenv("OPTUNA_STORAGE", "sqlite:///does/not/matter.db")
    monkeypatch.setenv("ALBACORE_STORAGE", url)
    assert main(["study-names"]) == 0
    assert capsys.readouterr().out == "s\n"


def test_trials_in_every_format(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _study_with_trials(url)
    assert main(["--storage", url, "trials", "--study-name", "s", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [(r["number"], r["value"], r["params"], r["state"]) for r in records] == [
        (0, 3.0, {"x": 3.0}, "COMPLETE"),
        (1, 1.0, {"x": 1.0}, "COMPLETE"),
        (2, 2.0, {"x": 2.0}, "COMPLETE"),
    ]
    assert main(["--storage", url, "trials", "--study-name", "s", "-f", "yaml"]) == 0
    assert [r["value"] for r in yaml.safe_load(capsys.readouterr().out)] == [3.0, 1.0, 2.0]
    assert main(["--storage", url, "trials", "--study-name", "s"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].startswith("+") and "params_x" in table[1] and "user_attrs_note" in table[1]
    assert len(table) == 3 + 3 + 1
    assert "ü" in table[3]


def test_best_trial_and_best_trials(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _study_with_trials(url)
    _study_with_trials(url, "mo", ("minimize", "minimize"))
    assert main(["--storage", url, "best-trial", "--study-name", "s", "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["number"] == 1
    assert main(["--storage", url, "best-trials", "--study-name", "mo", "-f", "json"]) == 0
    assert sorted(r["number"] for r in json.loads(capsys.readouterr().out)) == [0, 1, 2]
    assert main(["--storage", url, "best-trial", "--study-name", "mo"]) == 2
    assert "best-trials" in capsys.readouterr().err


def test_errors_are_messages_not_tracebacks(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["study-names"]) == 2
    err = capsys.readouterr().err
    assert "--storage" in err and "ALBACORE_STORAGE" in err and "Traceback" not in err
    assert main(["--storage", url, "trials", "--study-name", "missing"]) == 1
    assert "missing" in capsys.readouterr().err
    albacore.create_study(storage=url, study_name="empty")
    assert main(["--storage", url, "best-trial", "--study-name", "empty"]) == 2
    assert "no completed trial" in capsys.readouterr().err
    assert main(["--storage", "journal-ish:nothing", "study-names"]) == 1
    assert main(["--storage", "redis-ish://x", "storage", "upgrade"]) == 2
    assert main(["--storage", url, "trials"]) == 2
    assert "--study-name is required" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["delete-study"])  # argparse: --study-name is required
    assert exit_info.value.code == 2


def test_storage_upgrade_from_first_revision(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    engine = sa.create_engine(url)
    upgrade(engine, "v1")  # a database as the first schema revision left it
    engine.dispose()
    with pytest.raises(albacore.exceptions.StorageVersionError, match="albacore storage upgrade --storage"):
        RDBStorage(url)
    assert main(["storage", "upgrade", "--storage", url]) == 0
    assert f"from revision v1 to {SCHEMA_HEAD}" in capsys.readouterr().out
    assert RDBStorage(url).get_current_version() == SCHEMA_HEAD


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"albacore {albacore.__version__}"
    assert main([]) == 2


def test_registry_accepts_subcommands_of_a_command(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Another module may add `trials reap` beside the `trials` listing; both must keep working.
    command = Command(("trials", "zz-test"), "test only", lambda parser: None, lambda args: 7)
    register(command)
    try:
        _study_with_trials(url)
        assert main(["--storage", url, "trials", "zz-test"]) == 7
        assert main(["--storage", url, "trials", "--study-name", "s", "-f", "json"]) == 0
        assert len(json.loads(capsys.readouterr().out)) == 3
        with pytest.raises(ValueError, match="twice"):
            register(command)
    finally:
        from albacore.cli import _registry

        del _registry._COMMANDS[command.path]
    assert command not in registered()


def test_console_script_in_a_subprocess(url: str) -> None:
    _study_with_trials(url)
    env = {**os.environ, "ALBACORE_STORAGE": url}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from albacore.cli import main; sys.exit(main())",
            "best-trial",
            "--study-name",
            "s",
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["value"] == 1.0
    failed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from albacore.cli import main; sys.exit(main())",
            "trials",
            "--study-name",
            "nope",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert failed.returncode == 1
    assert "nope" in failed.stderr and "Traceback" not in failed.stderr
