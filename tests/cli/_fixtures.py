"""Fixtures of the command-line tests: a storage URL with no storage variables in the environment, and a
runner that calls ``main`` in-process and returns its exit status and output.

They are a plugin that tests/conftest.py loads rather than a conftest.py of this folder: with --doctest-modules, a
conftest.py in a folder whose name sorts before "conftest.py" makes pytest fail to collect tests/conftest.py.
Being a plugin, they are visible to every test; a folder's own ``url`` or ``run`` fixture takes precedence.
"""

from __future__ import annotations

import pathlib

import pytest
from tests.cli._run import Result, Run

from albacore.cli import main


@pytest.fixture
def url(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite URL in the test's folder; the storage variables are unset, so only --storage names a storage."""
    for variable in ("ALBACORE_STORAGE", "OPTUNA_STORAGE"):
        monkeypatch.delenv(variable, raising=False)
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """``run("studies", "--storage", url)``: main's exit status, stdout and stderr (storage variables unset)."""
    for variable in ("ALBACORE_STORAGE", "OPTUNA_STORAGE"):
        monkeypatch.delenv(variable, raising=False)

    def call(*argv: str) -> Result:
        capsys.readouterr()
        try:
            status = main(list(argv))
        except SystemExit as done:  # argparse's own errors, --help and --version
            status = int(done.code or 0)
        captured = capsys.readouterr()
        return Result(status, captured.out, captured.err)

    return call
