"""``albacore storage upgrade`` (and ``--from-optuna``) and ``albacore storage import``."""

from __future__ import annotations

import json
import pathlib
import shutil

import pytest
import sqlalchemy as sa
from tests.cli._run import Run
from tests.storages._optuna_sources import FIXTURES, assert_holds, expected

import albacore
from albacore.cli import main
from albacore.storages import RDBStorage, get_storage
from albacore.storages.rdb._migrate import upgrade
from albacore.storages.rdb._models import SCHEMA_HEAD


@pytest.fixture
def optuna_db(tmp_path: pathlib.Path) -> str:
    shutil.copy(FIXTURES / "optuna-5.0.0" / "sqlite.db", tmp_path / "optuna.db")
    return f"sqlite:///{tmp_path / 'optuna.db'}"


def test_import_copies_every_study_then_skips_them(
    optuna_db: str, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = f"journal://{tmp_path / 'albacore.log'}"
    assert main(["storage", "import", "--from", optuna_db, "--to", target, "-f", "json"]) == 0
    captured = capsys.readouterr()
    assert [(r["study"], r["action"], r["trials_written"]) for r in json.loads(captured.out)] == [
        ("single", "imported", 7),
        ("multi", "imported", 7),
        ("edge", "imported", 3),
        ("after-deleted", "imported", 2),
    ]
    assert "19/19" in captured.err  # the progress bar
    assert_holds(get_storage(target), expected("optuna-5.0.0", "sqlite"), heartbeats=True)
    args = ["storage", "import", "--from", optuna_db, "--to", target, "--study-name", "edge", "--no-progress"]
    assert main([*args, "-f", "json"]) == 0
    captured = capsys.readouterr()
    assert [r["action"] for r in json.loads(captured.out)] == ["skipped"]
    assert captured.err == ""
    assert main([*args, "--update", "-f", "json"]) == 0
    assert [r["action"] for r in json.loads(capsys.readouterr().out)] == ["up to date"]


def test_import_refuses_the_same_storage_and_unknown_studies(
    optuna_db: str, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["storage", "import", "--from", optuna_db, "--to", optuna_db]) == 2
    assert "--from-optuna" in capsys.readouterr().err
    target = f"sqlite:///{tmp_path / 'a.db'}"
    assert main(["storage", "import", "--from", optuna_db, "--to", target, "--study-name", "zzz"]) == 1
    assert "no studies named ['zzz']" in capsys.readouterr().err
    get_storage(target)  # an albacore database
    assert main(["storage", "import", "--from", target, "--to", f"sqlite:///{tmp_path / 'b.db'}"]) == 1
    assert "holds no Optuna storage" in capsys.readouterr().err
    assert main(["storage", "import", "--from", f"sqlite:///{tmp_path / 'none.db'}", "--to", target]) == 1
    assert "No SQLite database file" in capsys.readouterr().err


def test_upgrade_from_optuna_needs_yes_then_converts(optuna_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = pathlib.Path(optuna_db[len("sqlite:///") :])
    before = path.read_bytes()
    assert main(["storage", "upgrade", "--storage", optuna_db, "--from-optuna"]) == 2
    err = capsys.readouterr().err
    assert "Optuna can no longer open it" in err and "--yes" in err
    assert path.read_bytes() == before
    assert main(["storage", "upgrade", "--storage", optuna_db]) == 1  # a plain upgrade names the ways forward
    assert "--from-optuna --yes" in capsys.readouterr().err
    assert main(["storage", "upgrade", "--storage", optuna_db, "--from-optuna", "--yes"]) == 0
    assert "4 studies, 19 trials" in capsys.readouterr().out
    study = albacore.load_study(study_name="single", storage=optuna_db)
    assert [t.state.name for t in study.trials] == [
        "COMPLETE",
        "PRUNED",
        "FAIL",
        "COMPLETE",
        "COMPLETE",
        "RUNNING",
        "WAITING",
    ]


def test_upgrade_from_the_first_revision(run: Run, tmp_path: pathlib.Path) -> None:
    path = tmp_path / "old.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    upgrade(engine, "v1")  # a database as the first schema revision left it
    engine.dispose()
    with pytest.raises(albacore.exceptions.StorageVersionError, match="albacore storage upgrade --storage"):
        RDBStorage(f"sqlite:///{path}")
    done = run("storage", "upgrade", "--storage", str(path))  # a SQLite file named by its path
    assert done.status == 0 and f"from revision v1 to {SCHEMA_HEAD}" in done.out
    assert RDBStorage(f"sqlite:///{path}").get_current_version() == SCHEMA_HEAD
    again = run("storage", "upgrade", "--storage", f"sqlite:///{path}")
    assert again.status == 0 and "already at the newest" in again.out


def test_upgrade_needs_a_database(run: Run, tmp_path: pathlib.Path) -> None:
    assert run("storage", "upgrade").status == 2
    invalid = run("storage", "upgrade", "--storage", "invalid-storage-url")
    assert invalid.status == 2 and "sqlite:///" in invalid.err
    journal = run("storage", "upgrade", "--storage", f"journal://{tmp_path / 'j.log'}")
    assert journal.status == 2 and "database storages" in journal.err
